namespace Tailmark.Storage;

/// <summary>Where one verdict lives: under <paramref name="Warm"/> in memory and under <paramref name="Key"/> (<see cref="VerdictCacheKey"/>) in the
/// store.</summary>
public readonly record struct VerdictLookup(WarmKey Warm, string Key);
