namespace Tailmark.Storage;

/// <summary>
/// A store's counters since it was opened, for warnings, summaries and the server's metrics.
/// </summary>
/// <param name="Available">False while the store is unreachable (a PostgreSQL outage); lookups are then misses and writes wait.</param>
/// <param name="Reads">Lookup round trips made (one per graded response whose verdicts were not all in memory).</param>
/// <param name="Writes">Write round trips that carried verdicts (SQLite: transactions; PostgreSQL: batched inserts; a batch of lease releases alone is not
/// counted).</param>
/// <param name="Failures">Operations that did not reach the store (failed, or skipped while it was unreachable).</param>
/// <param name="Pending">Verdicts given to the store and not yet durable (PostgreSQL's write queue; SQLite: always 0).</param>
/// <param name="Dropped">Verdicts given up: the write queue overflowed during an outage, or the store was closed before they could be written.</param>
/// <param name="Outages">How many times the store became unreachable.</param>
public sealed record VerdictStoreHealth(bool Available, long Reads, long Writes, long Failures, long Pending, long Dropped, long Outages);
