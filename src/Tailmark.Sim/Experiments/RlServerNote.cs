namespace Tailmark.Sim.Experiments;

/// <summary>
/// What the loop learns from the reward server between steps, once its background work has settled: refinements so far,
/// the alarm and the audit's latest gap.
/// </summary>
public sealed record RlServerNote(long Accepted, long Rejected, bool Alarm, double? AuditGap);
