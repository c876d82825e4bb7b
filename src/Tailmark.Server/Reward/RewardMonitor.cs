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
    /// computes it from every audit recorded so far (what online refinement acts on, so a run replays the same way).
    /// </summary>
    public AuditAlarm AuditAlarm(bool fresh = false) => AuditNow(fresh).Alarm;

    /// <summary>The latest audited step's gap (training minus reference mean reward), or null; at most a second old.</summary>
    public double? LatestAuditGap(bool fresh = false) => AuditNow(fresh).Gap;

    // Scrapes and health probes read the audit several times a second; walking every prompt's steps each time would hold
    // the lock the grading records through, so the figures are computed at most once a second.
    private (AuditAlarm Alarm, double? Gap) AuditNow(bool fresh)
    {
        lock (_lock)
        {
            if (!fresh && _audit is { } cached && _time.GetElapsedTime(_auditAt) < TimeSpan.FromSeconds(1)) return cached;
            var steps = _table.AuditSteps();
            _audit = (Monitoring.AuditAlarm.Over(steps), steps.Count > 0 ? steps[^1].Gap : null);
            _auditAt = _time.GetTimestamp();
            return _audit.Value;
        }
    }

    private (AuditAlarm Alarm, double? Gap)? _audit;
    private long _auditVersion;
    private (long Version, MonitorStepKey? Before, AuditAlarm Alarm)? _settled;

    /// <summary>
    /// The alarm over the audited steps before <paramref name="before"/> (all when null): what online refinement acts
    /// on after a request, so that the audits of the request's own step, which finish in the background, never decide
    /// it. Recomputed only when an audit was recorded since.
    /// </summary>
    public AuditAlarm SettledAuditAlarm(MonitorStepKey? before)
    {
        lock (_lock)
        {
            if (_settled is { } s && s.Version == _auditVersion && s.Before == before) return s.Alarm;
            var steps = _table.AuditSteps();
            if (before is { } b) steps = [.. steps.Where(x => MonitorStepKey.Order.Compare(x.Key, b) < 0)];
            var alarm = Monitoring.AuditAlarm.Over(steps);
            _settled = (_auditVersion, before, alarm);
            return alarm;
        }
    }
    private long _auditAt;

    /// <summary>How many criteria are saturated in their prompt's latest step, over all prompts.</summary>
    public int SaturatedCriteria()
    {
        lock (_lock) return _table.SaturatedCriteria();
    }

    /// <summary>This replica's monitor as JSON.</summary>
    /// <summary>The monitor's JSON; EXTRA writes more top-level fields (online refinement's state).</summary>
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
