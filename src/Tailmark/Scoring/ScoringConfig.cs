using System.Collections.Immutable;
using Tailmark.Rubrics;

namespace Tailmark.Scoring;

/// <summary>
/// Every stage of the verdicts-to-reward pipeline and its parameters. Formulas are in docs/scoring.md.
/// Built from a preset name or a YAML/JSON file by <see cref="ScoringConfigLoader"/>.
/// </summary>
public sealed record ScoringConfig
{
    public string Name { get; init; } = "default";
    public CannotAssessPolicy CannotAssess { get; init; } = CannotAssessPolicy.Skip;
    public Normalization Normalization { get; init; } = Normalization.Positive;
    public AllNegativeRule AllNegative { get; init; } = AllNegativeRule.FromOne;

    /// <summary>Use a verdict's P(yes) as the criterion's value when the verdict carries one.</summary>
    public bool UseProbabilities { get; init; }

    public bool VetoEnabled { get; init; } = true;
    public double VetoValue { get; init; }

    public SaturationScope Saturation { get; init; } = SaturationScope.None;

    /// <summary>Curvature k &gt; 0 of the saturation transform s(x) = (1 − e^(−kx)) / (1 − e^(−k)).</summary>
    public double SaturationK { get; init; } = 2;

    public ImmutableArray<Interaction> Interactions { get; init; } = [];
    public bool Clip { get; init; } = true;
    public ShapingKind Shaping { get; init; } = ShapingKind.None;
    public double ShapingGamma { get; init; } = 2;
    public double ShapingK { get; init; } = 10;
    public double ShapingMidpoint { get; init; } = 0.5;

    /// <summary>Clip the run-level mean to [0,1] (HealthBench reports the clipped mean).</summary>
    public bool ClipRunMean { get; init; } = true;

    /// <summary>
    /// The share of a rubric's judged weight (Σ|w| over criteria without a check) that must have a verdict for the
    /// reward to be defined; below it the reward is null (<c>insufficient_coverage</c>). 0 turns the rule off.
    /// </summary>
    public double MinJudgedCoverage { get; init; } = DefaultMinJudgedCoverage;

    /// <summary>Three quarters: one failed criterion in a typical rubric of ten passes, a judge that answers little does not.</summary>
    public const double DefaultMinJudgedCoverage = 0.75;

    public bool Equals(ScoringConfig? other) =>
        other is not null && Name == other.Name && CannotAssess == other.CannotAssess &&
        Normalization == other.Normalization && AllNegative == other.AllNegative &&
        UseProbabilities == other.UseProbabilities && VetoEnabled == other.VetoEnabled &&
        VetoValue.Equals(other.VetoValue) && Saturation == other.Saturation &&
        SaturationK.Equals(other.SaturationK) && Interactions.SequenceEqual(other.Interactions) &&
        Clip == other.Clip && Shaping == other.Shaping && ShapingGamma.Equals(other.ShapingGamma) &&
        ShapingK.Equals(other.ShapingK) && ShapingMidpoint.Equals(other.ShapingMidpoint) &&
        ClipRunMean == other.ClipRunMean && MinJudgedCoverage.Equals(other.MinJudgedCoverage);

    public override int GetHashCode() => Name.GetHashCode(StringComparison.Ordinal);
}
