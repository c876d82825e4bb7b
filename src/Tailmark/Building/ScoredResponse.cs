namespace Tailmark.Building;

/// <summary>A pool response with its score under the current rubric (null when undefined).</summary>
public sealed record ScoredResponse(string ResponseId, string? Generator, double? Score);
