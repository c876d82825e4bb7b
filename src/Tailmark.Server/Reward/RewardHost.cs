using Tailmark.Building;
using Tailmark.Building.Online;
using Tailmark.Checks;
using Tailmark.Grading;
using Tailmark.Judging;
using Tailmark.Llm;
using Tailmark.Scoring;

namespace Tailmark.Server.Reward;

/// <summary>
/// The reward service and the parts it owns, built one way for every front that serves rewards (<c>serve</c>,
/// <c>experiment rl</c>): the grading walk over the training judge (coalescing, the server's grading slots), the
/// monitor, the reference-judge audit on a walk of its own (16 slots: it never takes the training judge's), and online
/// refinement over the serving walk. Disposed in the order that lets each part finish with the ones it uses: the
/// refiner and the audit first, then their walks.
/// </summary>
public sealed class RewardHost : IAsyncDisposable
{
    private readonly BatchGrader _walk;
    private readonly BatchGrader? _auditWalk;

    private RewardHost(RewardService service, RewardMetrics metrics, BatchGrader walk, BatchGrader? auditWalk)
    {
        Service = service;
        Metrics = metrics;
        _walk = walk;
        _auditWalk = auditWalk;
    }

    public RewardService Service { get; }

    public RewardMetrics Metrics { get; }

    public RewardAudit? Audit => Service.Audit;

    public OnlineRefiner? Online => Service.Online;

    public static RewardHost Create(RewardHostOptions o, TimeProvider? time = null)
    {
        var metrics = new RewardMetrics();
        var walk = Walk(o, o.Judge, o.Server.GradingSlots, coalesce: true);
        var monitor = new RewardMonitor(time);
        BatchGrader? auditWalk = null;
        RewardAudit? audit = null;
        if (o.Audit is { } a)
        {
            auditWalk = Walk(o, a.Judge, 16, coalesce: false);
            audit = new RewardAudit(auditWalk, a.Rate, monitor, a.Judge.Endpoint().Name);
        }
        var online = o.Online is { } r ? new OnlineRefiner(walk, new ProposerClient(r.Proposer), o.Index.Rubrics, r.Options, r.Log, time) : null;
        var service = new RewardService(o.Index, walk, o.Server, metrics, monitor, time)
            { Cache = o.Cache, Audit = audit, Online = online, JudgeName = o.Judge.Endpoint().Model, ScoringName = o.ScoringName };
        return new RewardHost(service, metrics, walk, auditWalk);
    }

    private static BatchGrader Walk(RewardHostOptions o, Microsoft.Extensions.AI.IChatClient judge, int slots, bool coalesce) =>
        new(new ResponseGrader(new JudgeEngine([judge], o.Cache, o.Judging), new CheckRunner(), new RewardPipeline(o.Scoring)),
            new BatchGraderOptions { Concurrency = slots, Coalesce = coalesce });

    /// <summary>Waits until the refinements and audits started so far have finished (the experiment does, between steps).</summary>
    public async Task SettleAsync(CancellationToken ct)
    {
        if (Online is { } online) await online.WhenIdleAsync(ct).ConfigureAwait(false);
        if (Audit is { } audit) await audit.WhenIdleAsync(ct).ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        if (Online is { } online) await online.DisposeAsync().ConfigureAwait(false);
        if (Audit is { } audit) await audit.DisposeAsync().ConfigureAwait(false);
        _auditWalk?.Dispose();
        _walk.Dispose();
        Metrics.Dispose();
    }
}
