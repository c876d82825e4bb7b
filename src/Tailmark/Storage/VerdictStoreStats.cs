namespace Tailmark.Storage;

/// <summary>What a verdict store holds. <paramref name="Bytes"/>: the file and its log (SQLite), or the table and its index (PostgreSQL).</summary>
public sealed record VerdictStoreStats(string Location, long Entries, long Met, long NotMet, long Bytes, DateTimeOffset? Oldest, DateTimeOffset? Newest);
