using System.Collections.Immutable;

namespace Tailmark.Scoring;

/// <summary>
/// How a reward was computed: per-criterion parts and every intermediate value of the pipeline, so that a
/// reward can be recomputed by hand. <see cref="JudgedCoverage"/> is the share of the judged weight that got a
/// verdict (null when the rubric has no judged criteria).
/// </summary>
public sealed record RewardBreakdown(
    ImmutableArray<CriterionScore> Criteria,
    double Earned,
    double Penalty,
    double InteractionTotal,
    double Denominator,
    double? Raw,
    double? Clipped,
    double? Shaped,
    string? VetoedBy,
    double? JudgedCoverage = null);
