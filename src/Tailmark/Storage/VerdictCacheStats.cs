namespace Tailmark.Storage;

/// <summary>What a verdict cache holds.</summary>
public sealed record VerdictCacheStats(string Path, long Entries, long Met, long NotMet, long FileBytes, DateTimeOffset? Oldest, DateTimeOffset? Newest);
