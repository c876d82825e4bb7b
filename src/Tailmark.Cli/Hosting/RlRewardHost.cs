using Microsoft.Extensions.AI;
using Tailmark.Building;
using Tailmark.Building.Online;
using Tailmark.Checks;
using Tailmark.Grading;
using Tailmark.Judging;
using Tailmark.Llm;
using Tailmark.Rubrics;
using Tailmark.Scoring;
using Tailmark.Server.Reward;
using Tailmark.Sim.Experiments;

namespace Tailmark.Cli.Hosting;

/// <summary>
/// The reward server one run of <c>experiment rl</c> trains against: the real server on 127.0.0.1, built as
/// <c>serve</c> builds it (a coalescing walk over the judge, the default scoring), with online refinement and the
/// reference-judge audit when the run's configuration has them. Its versions are kept in memory: each run starts
/// from the same rubrics.
/// </summary>
internal sealed class RlRewardHost : IAsyncDisposable
{
    private readonly List<IAsyncDisposable> _owned = [];
    private readonly List<IDisposable> _disposables = [];
    private OnlineRefiner? _online;
    private RewardAudit? _audit;
    private RewardMonitor _monitor = null!;

    public RewardServer Server { get; private set; } = null!;

    public Uri RewardUrl => new(Server.BaseUrl, "v1/reward");

    /// <summary>Starts the server over RUBRICS; ONLINE and AUDIT (the reference judge, with its share) as the configuration says.</summary>
    public static async Task<RlRewardHost> StartAsync(IReadOnlyList<Rubric> rubrics, IChatClient judge, IChatClient? proposer,
        (IChatClient Judge, double Rate)? audit, OnlineRefineOptions refineOptions, CancellationToken ct)
    {
        var host = new RlRewardHost();
        var options = new RewardServerOptions();
        var judging = new JudgeOptions { Mode = JudgeMode.AllAtOnce };
        var walk = Walk(judge, judging, options.GradingSlots, coalesce: true);
        var metrics = new RewardMetrics();
        host._disposables.AddRange([walk, metrics]);
        var set = new RubricSet(rubrics);
        host._monitor = new RewardMonitor();
        if (proposer is not null)
        {
            host._online = new OnlineRefiner(walk, new ProposerClient(proposer), set, refineOptions, RubricVersionLog.InMemory());
            host._owned.Add(host._online);
        }
        if (audit is { } a)
        {
            var auditWalk = Walk(a.Judge, judging, 16, coalesce: false);
            host._disposables.Add(auditWalk);
            host._audit = new RewardAudit(auditWalk, a.Rate, host._monitor, a.Judge.Endpoint().Name);
            host._owned.Add(host._audit);
        }
        var service = new RewardService(new RubricIndex(set), walk, options, metrics, host._monitor)
            { Online = host._online, Audit = host._audit, JudgeName = judge.Endpoint().Model };
        host.Server = await RewardServer.StartAsync(service, metrics, options, cancellationToken: ct);
        host._owned.Insert(0, host.Server);
        return host;
    }

    /// <summary>Waits for the refinements and the audit of the step to finish, then says what they came to.</summary>
    public async Task<RlServerNote> SettleAsync(CancellationToken ct)
    {
        if (_online is not null) await _online.WhenIdleAsync(ct);
        if (_audit is not null) await _audit.WhenIdleAsync(ct);
        var (_, accepted, rejected, _) = _online?.Counts ?? default;
        return _audit is null ? new RlServerNote(accepted, rejected, false, null)
            : new RlServerNote(accepted, rejected, _monitor.AuditAlarm(fresh: true).Firing, _monitor.LatestAuditGap(fresh: true));
    }

    private static BatchGrader Walk(IChatClient judge, JudgeOptions judging, int slots, bool coalesce) =>
        new(new ResponseGrader(new JudgeEngine([judge], null, judging), new CheckRunner(), new RewardPipeline(ScoringConfigLoader.Preset("default"))),
            new BatchGraderOptions { Concurrency = slots, Coalesce = coalesce });

    public async ValueTask DisposeAsync()
    {
        foreach (var o in _owned) await o.DisposeAsync();
        foreach (var d in _disposables) d.Dispose();
    }
}
