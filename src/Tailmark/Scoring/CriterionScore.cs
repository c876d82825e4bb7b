namespace Tailmark.Scoring;

/// <summary>
/// One criterion's part of a reward: its verdict status, whether it counted (a skipped CannotAssess does not),
/// its value in [0,1], and its contribution to the numerator after saturation.
/// </summary>
public sealed record CriterionScore(
    string Id, double Weight, VerdictStatus Status, bool Counted, double Value, double Contribution, string? Reason);
