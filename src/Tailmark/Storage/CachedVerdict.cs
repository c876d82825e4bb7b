namespace Tailmark.Storage;

/// <summary>A stored verdict: "met" or "not_met", with the ordinal level, P(yes) and reason when there were.</summary>
public sealed record CachedVerdict(string Status, double? Level, double? PYes, string? Reason);
