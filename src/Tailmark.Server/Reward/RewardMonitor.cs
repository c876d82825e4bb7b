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
    private readonly MonitorTable _table = new();
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
        lock (_lock) _table.RecordAudit(promptId, key, training, reference);
    }

    /// <summary>The reward-hacking alarm of the reference-judge audit (not evaluable without one).</summary>
    public AuditAlarm AuditAlarm()
    {
        lock (_lock) return _table.AuditAlarm();
    }

    /// <summary>The latest audited step's gap (training minus reference mean reward), or null.</summary>
    public double? LatestAuditGap()
    {
        lock (_lock) return _table.AuditSteps() is { Count: > 0 } steps ? steps[^1].Gap : null;
    }

    /// <summary>How many criteria are saturated in their prompt's latest step, over all prompts.</summary>
    public int SaturatedCriteria()
    {
        lock (_lock) return _table.SaturatedCriteria();
    }

    /// <summary>This replica's monitor as JSON.</summary>
    public string RenderJson()
    {
        lock (_lock) return _table.Render();
    }

    /// <summary>A copy of this replica's table (for a merge with other replicas').</summary>
    public MonitorTable Snapshot()
    {
        lock (_lock) return MonitorTable.Merge([_table]);
    }
}
