namespace Tailmark.Monitoring;

/// <summary>What one reward-server replica's <c>/v1/monitor</c> gave: its table, or why there is none.</summary>
public sealed record ReplicaMonitor(Uri Url, MonitorTable? Table, string? Error);
