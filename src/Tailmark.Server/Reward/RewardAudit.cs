using System.Threading.Channels;
using Tailmark.Grading;
using Tailmark.Io;
using Tailmark.Monitoring;

namespace Tailmark.Server.Reward;

/// <summary>
/// The reference-judge audit (<c>serve --audit-judge SPEC --audit-rate R</c>): a sampled share of the graded rollouts
/// is graded again, in the background, by a stronger judge through its own grading walk, and both rewards go to the
/// monitor's row of that rollout (<see cref="RewardMonitor.RecordAudit"/>), where the training-versus-reference gap and
/// the reward-hacking alarm are computed. Never delays an answer: a rollout is sampled by a hash of its rubric id,
/// conversation and response (the same response is always or never audited), queued without waiting, and dropped — counted — when the
/// queue is full; what is queued when the server stops is not audited. The disagreements (training reward at least
/// <see cref="DisagreementGap"/> above the reference's) and good rollouts (reference reward at least
/// <see cref="GoodReference"/>) are kept, the latest <see cref="CasesKept"/> of each, for <c>GET /v1/audit/cases</c>.
/// </summary>
public sealed class RewardAudit : IAsyncDisposable
{
    /// <summary>Rollouts waiting for the reference judge at most; more are dropped (and counted).</summary>
    public const int QueueLimit = 4096;

    /// <summary>A rollout the training judge rewards this much above the reference judge is kept as a suspected hack.</summary>
    public const double DisagreementGap = 0.3;

    /// <summary>A rollout the reference judge rewards at least this much is kept as a good one (what a defense must not hit).</summary>
    public const double GoodReference = 0.7;

    /// <summary>The most recent cases of each kind kept (older ones go first).</summary>
    public const int CasesKept = 500;

    /// <summary>A kept case's response is clipped to this many characters (memory stays bounded: 1,000 cases × 8 K).</summary>
    public const int CaseCharacters = 8192;

    private static string Clip(string text) => text.Length <= CaseCharacters ? text : text[..CaseCharacters] + "…";

    private readonly Queue<AuditCase> _disagreements = new();
    private readonly Queue<AuditCase> _good = new();
    private readonly Lock _casesLock = new();

    private readonly BatchGrader _reference;
    private readonly RewardMonitor _monitor;
    private readonly double _rate;
    private readonly ulong _threshold;
    private readonly Channel<Job> _queue;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _worker;
    private long _sampled, _graded, _failed, _dropped;

    private sealed record Job(GradeItem Item, MonitorStepKey Key, double Training);

    /// <param name="reference">The walk over the reference judge (its own slots: the audit never takes the training judge's).</param>
    /// <param name="rate">Share of graded rollouts audited, in (0, 1].</param>
    /// <param name="monitor">Where both rewards of an audited rollout are recorded.</param>
    /// <param name="judge">The reference judge's name, for the log and /metrics.</param>
    public RewardAudit(BatchGrader reference, double rate, RewardMonitor monitor, string judge)
    {
        if (!(rate > 0 && rate <= 1)) throw new ArgumentOutOfRangeException(nameof(rate), rate, "the audit rate is a share in (0, 1]");
        _reference = reference;
        _monitor = monitor;
        _rate = rate;
        _threshold = rate >= 1 ? ulong.MaxValue : (ulong)(rate * ulong.MaxValue);
        Judge = judge;
        // DropWrite's TryWrite says true for the item it throws away; the callback is where a drop is seen.
        _queue = Channel.CreateBounded<Job>(new BoundedChannelOptions(QueueLimit) { FullMode = BoundedChannelFullMode.DropWrite },
            _ => Interlocked.Increment(ref _dropped));
        _worker = Task.Run(WorkAsync);
    }

    public string Judge { get; }

    public double Rate => _rate;

    /// <summary>Sampled, graded by the reference judge, failed there (no reference reward), dropped (queue full).</summary>
    public (long Sampled, long Graded, long Failed, long Dropped) Counts =>
        (Interlocked.Read(ref _sampled), Interlocked.Read(ref _graded), Interlocked.Read(ref _failed), Interlocked.Read(ref _dropped));

    /// <summary>Offers a graded rollout; audited when the sample takes it. Returns at once.</summary>
    public void Offer(GradeItem item, MonitorStepKey key, double trainingReward)
    {
        if (SeededHash.Of("audit", item.Rubric.Id, item.Conversation, item.Response.Response) > _threshold) return;
        Interlocked.Increment(ref _sampled);
        if (!_queue.Writer.TryWrite(new Job(item, key, trainingReward))) Interlocked.Increment(ref _dropped);
    }

    private async Task WorkAsync()
    {
        try
        {
            await foreach (var outcome in _reference.GradeAsync(Jobs(), null, _stop.Token).ConfigureAwait(false))
            {
                var job = (Job)outcome.Item.State!;
                if (outcome.Graded?.Result.Reward is { } reference)
                {
                    _monitor.RecordAudit(job.Item.Response.PromptId, job.Key, job.Training, reference);
                    Keep(new AuditCase(job.Item.Response.PromptId, job.Key, Clip(job.Item.Response.Response), job.Training, reference));
                    Interlocked.Increment(ref _graded);
                }
                else
                {
                    // No reference reward (its judge failed, or left too little assessed): no comparison, counted.
                    Interlocked.Increment(ref _failed);
                }
            }
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // stopping: what is queued is not audited
        }
        catch (Exception ex)
        {
            // The reference judge cannot serve at all (e.g. refused every call): the audit stops, loudly (/health), and
            // the rewards go on without it.
            Volatile.Write(ref _stoppedBy, $"{ex.GetType().Name}: {ex.Message}");
        }
    }

    private string? _stoppedBy;

    /// <summary>Why the audit stopped before the server did (its reference judge could not serve), or null while it runs.</summary>
    public string? StoppedBy => Volatile.Read(ref _stoppedBy);

    // The audit's disagreements (high training reward, low reference reward) and its good rollouts, bounded.
    private void Keep(AuditCase c)
    {
        var queue = c.Gap >= DisagreementGap ? _disagreements : c.Reference >= GoodReference && c.Gap < DisagreementGap ? _good : null;
        if (queue is null) return;
        lock (_casesLock)
        {
            queue.Enqueue(c);
            if (queue.Count > CasesKept) queue.Dequeue();
        }
    }

    /// <summary>The kept suspected hacks and good rollouts, oldest first.</summary>
    public (IReadOnlyList<AuditCase> Disagreements, IReadOnlyList<AuditCase> Good) Cases()
    {
        lock (_casesLock) return ([.. _disagreements], [.. _good]);
    }

    /// <summary>
    /// A prompt's suspected hack and good rollout from the audits of steps before <paramref name="before"/>: of the
    /// latest such step that has one, the case with the widest gap (the good one: the highest reference reward), ties by
    /// text — chosen by content, not by the order the background audits finished in. Cases clipped for memory are left
    /// out (a refinement needs the whole response). Null unless both exist.
    /// </summary>
    public (string Hack, string Good)? PairFor(string promptId, MonitorStepKey before)
    {
        AuditCase? Pick(IEnumerable<AuditCase> cases, Func<AuditCase, double> score)
        {
            var usable = cases.Where(c => c.PromptId == promptId && MonitorStepKey.Order.Compare(c.Key, before) < 0 && !Clipped(c.Response)).ToList();
            if (usable.Count == 0) return null;
            var latest = usable.Select(c => c.Key).Max(MonitorStepKey.Order);
            return usable.Where(c => c.Key == latest).OrderByDescending(score).ThenBy(c => c.Response, StringComparer.Ordinal).First();
        }
        lock (_casesLock)
        {
            var hack = Pick(_disagreements, c => c.Gap);
            var good = Pick(_good, c => c.Reference);
            return hack is not null && good is not null ? (hack.Response, good.Response) : null;
        }
    }

    private static bool Clipped(string response) => response.Length > CaseCharacters;

    /// <summary>Sampled rollouts not yet graded by the reference judge (nor failed, nor dropped).</summary>
    public long Pending
    {
        get
        {
            var (sampled, graded, failed, dropped) = Counts;
            return sampled - graded - failed - dropped;
        }
    }

    /// <summary>Waits until every sampled rollout has been audited (the experiment waits between steps, so a run replays the same way).</summary>
    public async Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        while (Pending > 0 && StoppedBy is null) await Task.Delay(5, cancellationToken).ConfigureAwait(false);
    }

    private async IAsyncEnumerable<GradeItem> Jobs()
    {
        await foreach (var job in _queue.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false)) yield return job.Item with { State = job };
    }

    public async ValueTask DisposeAsync()
    {
        _queue.Writer.TryComplete();
        await _stop.CancelAsync().ConfigureAwait(false);
        await _worker.ConfigureAwait(false);
        _stop.Dispose();
    }
}
