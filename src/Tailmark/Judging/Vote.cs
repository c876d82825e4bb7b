namespace Tailmark.Judging;

/// <summary>One judge's answer on one criterion in one vote: met / not met (with level, P(yes), reason) or why there is none.</summary>
internal sealed record Vote(bool? Met, double? Level, double? PYes, string? Reason)
{
    public static Vote Failed(string reason) => new(null, null, null, reason);
}
