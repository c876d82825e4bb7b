using Tailmark.Judging;
using Tailmark.Monitoring;

namespace Tailmark.Server.Reward;

/// <summary>
/// The reward server's over-optimization monitor: every graded item recorded in a <see cref="MonitorTable"/> under its
/// prompt and step (the item's <c>step</c>, else the minute of the clock it was graded in), read as
/// <c>GET /v1/monitor</c>. A criterion passed by nearly every rollout of the latest step (≥ 95% over at least 8) is
/// flagged as saturated — it no longer separates the tail; length drift is the latest step's mean length over the
/// first's. Each replica keeps its own; <see cref="MonitorTable.Merge"/> adds replicas up.
/// </summary>
public sealed class RewardMonitor(TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    // A fresh id per process: a merge counts this replica once, whatever URL it was reached by.
    private readonly MonitorTable _table = new() { Instance = Guid.NewGuid().ToString("N") };
    private readonly Lock _lock = new();

    /// <summary>The row an item with STEP belongs to now: its step, else the current minute.</summary>
    public MonitorStepKey KeyFor(long? step) => step is { } s ? MonitorStepKey.Step(s) : MonitorStepKey.WindowOf(_time.GetUtcNow());

    public void Record(string promptId, MonitorStepKey key, GradedResponse graded, int responseLength)
    {
        lock (_lock) _table.Record(promptId, key, graded, responseLength);
    }

    /// <summary>An audited rollout, in the row its training reward was recorded in.</summary>
    public void RecordAudit(string promptId, MonitorStepKey key, double training, double reference)
    {
        lock (_lock)
        {
            _table.RecordAudit(promptId, key, training, reference);
            _auditVersion++;
        }
    }

    /// <summary>
    /// The reward-hacking alarm of the reference-judge audit (not evaluable without one), at most a second old; FRESH
    /// includes every audit recorded so far (what the experiment reads between steps).
    /// </summary>
    public AuditAlarm AuditAlarm(bool fresh = false)
    {
        lock (_lock) return Monitoring.AuditAlarm.Over(AuditSteps(fresh));
    }

    /// <summary>The latest audited step's gap (training minus reference mean reward), or null; at most a second old unless FRESH.</summary>
    public double? LatestAuditGap(bool fresh = false)
    {
        lock (_lock) return AuditSteps(fresh) is { Count: > 0 } steps ? steps[^1].Gap : null;
    }

    /// <summary>
    /// The alarm over the audited steps before <paramref name="before"/>: what online refinement acts on after a request,
    /// so that the audits of the request's own step, which finish in the background, never decide it.
    /// </summary>
    public AuditAlarm SettledAuditAlarm(MonitorStepKey before)
    {
        lock (_lock) return Monitoring.AuditAlarm.Over([.. AuditSteps(fresh: true).Where(x => MonitorStepKey.Order.Compare(x.Key, before) < 0)]);
    }

    // The audit's steps over all prompts, kept while no audit is recorded. Scrapes and health probes read them several
    // times a second and walking every prompt's steps holds the lock the grading records through, so unless FRESH they
    // are recomputed at most once a second. Called under the lock.
    private IReadOnlyList<AuditStep> AuditSteps(bool fresh)
    {
        if (_auditSteps is { } cached && (cached.Version == _auditVersion || !fresh && _time.GetElapsedTime(_auditStepsAt) < TimeSpan.FromSeconds(1)))
        {
            return cached.Steps;
        }
        var steps = _table.AuditSteps();
        _auditSteps = (_auditVersion, steps);
        _auditStepsAt = _time.GetTimestamp();
        return steps;
    }

    private long _auditVersion;
    private (long Version, IReadOnlyList<AuditStep> Steps)? _auditSteps;
    private long _auditStepsAt;

    /// <summary>How many criteria are saturated in their prompt's latest step, over all prompts.</summary>
    public int SaturatedCriteria()
    {
        lock (_lock) return _table.SaturatedCriteria();
    }

    /// <summary>This replica's monitor as JSON; EXTRA writes more top-level fields (online refinement's state).</summary>
    public string RenderJson(Action<System.Text.Json.Utf8JsonWriter>? extra = null)
    {
        lock (_lock) return _table.Render(extra);
    }

    /// <summary>A copy of this replica's table (for a merge with other replicas').</summary>
    public MonitorTable Snapshot()
    {
        lock (_lock) return _table.Copy();
    }
}
