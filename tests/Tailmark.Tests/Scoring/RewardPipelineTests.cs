using Tailmark.Rubrics;
using Tailmark.Scoring;
using static Tailmark.Tests.Support.RubricBuilder;

namespace Tailmark.Tests.Scoring;

/// <summary>Every stage on values worked out by hand (the arithmetic is in each test's comment).</summary>
public sealed class RewardPipelineTests
{
    private static readonly RewardPipeline Default = new(ScoringConfigLoader.Preset("default"));

    // The CannotAssess policies and the veto, each on its own: without the coverage rule, which would make these
    // half-assessed rubrics undefined (its own tests are below).
    private static readonly ScoringConfig Uncovered = ScoringConfigLoader.Preset("default") with { MinJudgedCoverage = 0 };

    [Fact]
    public void Score_PositiveAndPitfall_DividesByPositiveWeight()
    {
        // (3 − 2) / (3 + 2) = 0.2
        var r = Default.Score(R(C("a", 3), C("b", 2), C("c", -2)), V(("a", Met), ("b", NotMet), ("c", Met)));
        Assert.Equal(0.2, r.Reward!.Value, 12);
        Assert.Equal(3, r.Breakdown.Earned);
        Assert.Equal(2, r.Breakdown.Penalty);
        Assert.Equal(5, r.Breakdown.Denominator);
    }

    [Fact]
    public void Score_PenaltyBeyondEarned_ClipsToZeroButKeepsRaw()
    {
        // (1 − 3) / 1 = −2 → clipped 0
        var r = Default.Score(R(C("a", 1), C("c", -3)), V(("a", Met), ("c", Met)));
        Assert.Equal(-2, r.Breakdown.Raw!.Value, 12);
        Assert.Equal(0, r.Reward);
    }

    [Theory]
    [InlineData("skip", 1.0)] // 3 / 3: b leaves numerator and denominator
    [InlineData("zero", 0.6)] // 3 / 5: b counts as not met
    public void Score_CannotAssessPolicy_AppliesPolicy(string policy, double expected)
    {
        var config = Uncovered with { CannotAssess = Enum.Parse<CannotAssessPolicy>(policy, true) };
        var r = new RewardPipeline(config).Score(R(C("a", 3), C("b", 2)), V(("a", Met), ("b", Unknown)));
        Assert.Equal(expected, r.Reward!.Value, 12);
        Assert.Contains(r.Diagnostics, d => d.Code == "cannot_assess" && d.CriterionId == "b");
    }

    [Fact]
    public void Score_CannotAssessFail_RewardIsNullNotZero()
    {
        var config = ScoringConfigLoader.Preset("default") with { CannotAssess = CannotAssessPolicy.Fail };
        var r = new RewardPipeline(config).Score(R(C("a", 3), C("b", 2)), V(("a", Met), ("b", Unknown)));
        Assert.Null(r.Reward);
        Assert.Contains(r.Diagnostics, d => d.Code == "failed");
    }

    [Fact]
    public void Score_RubricOwnPolicy_OverridesConfig()
    {
        var rubric = R(C("a", 3), C("b", 2)) with { CannotAssess = "zero" };
        var r = new RewardPipeline(Uncovered).Score(rubric, V(("a", Met), ("b", Unknown)));
        Assert.Equal(0.6, r.Reward!.Value, 12);
    }

    [Fact]
    public void Score_MissingVerdict_IsCannotAssessWithDiagnostic()
    {
        var r = new RewardPipeline(Uncovered).Score(R(C("a", 1), C("b", 1)), V(("a", Met)));
        Assert.Equal(1.0, r.Reward!.Value, 12);
        Assert.Contains(r.Diagnostics, d => d.Code == "missing_verdict" && d.CriterionId == "b");
        Assert.Equal(VerdictStatus.CannotAssess, r.Breakdown.Criteria.Single(c => c.Id == "b").Status);
    }

    [Fact]
    public void Score_PositiveVetoNotMet_SetsVetoValue()
    {
        var r = Default.Score(R(C("a", 5), C("v", 1, veto: true)), V(("a", Met), ("v", NotMet)));
        Assert.Equal(0, r.Reward);
        Assert.Equal("v", r.Breakdown.VetoedBy);
    }

    [Fact]
    public void Score_NegativeVetoMet_SetsConfiguredVetoValue()
    {
        var config = ScoringConfigLoader.Preset("default") with { VetoValue = 0.1 };
        var r = new RewardPipeline(config).Score(R(C("a", 5), C("v", -1, veto: true)), V(("a", Met), ("v", Met)));
        Assert.Equal(0.1, r.Reward);
    }

    [Fact]
    public void Score_NegativeVetoNotMet_DoesNotVeto()
    {
        // (5 + 0) / 5 = 1
        var r = Default.Score(R(C("a", 5), C("v", -1, veto: true)), V(("a", Met), ("v", NotMet)));
        Assert.Equal(1, r.Reward);
        Assert.Null(r.Breakdown.VetoedBy);
    }

    [Fact]
    public void Score_UnassessedVeto_DoesNotVetoButIsReported()
    {
        var r = new RewardPipeline(Uncovered).Score(R(C("a", 1), C("v", -1, veto: true)), V(("a", Met), ("v", Unknown)));
        Assert.Equal(1, r.Reward);
        Assert.Contains(r.Diagnostics, d => d.Code == "veto_unassessed");
    }

    [Fact]
    public void Score_VetoDisabled_IgnoresVetoFlag()
    {
        var config = ScoringConfigLoader.Preset("default") with { VetoEnabled = false };
        // (2 + 0) / (2 + 1) = 2/3
        var r = new RewardPipeline(config).Score(R(C("a", 2), C("v", 1, veto: true)), V(("a", Met), ("v", NotMet)));
        Assert.Equal(2.0 / 3, r.Reward!.Value, 12);
    }

    [Fact]
    public void Score_AllNegativeFromOne_SubtractsMetShareOfPenaltyMass()
    {
        // 1 + (−2) / (2 + 3) = 0.6
        var r = Default.Score(R(C("c", -2), C("d", -3)), V(("c", Met), ("d", NotMet)));
        Assert.Equal(0.6, r.Reward!.Value, 12);
    }

    [Fact]
    public void Score_AllNegativeUndefined_IsNullWithDiagnostic()
    {
        var r = new RewardPipeline(ScoringConfigLoader.Preset("healthbench")).Score(R(C("c", -2)), V(("c", NotMet)));
        Assert.Null(r.Reward);
        Assert.Contains(r.Diagnostics, d => d.Code == "no_positive_criteria");
    }

    [Fact]
    public void Score_EveryPositiveSkipped_IsNullNotFromOne()
    {
        var r = Default.Score(R(C("a", 2), C("c", -2)), V(("a", Unknown), ("c", NotMet)));
        Assert.Null(r.Reward);
        Assert.Contains(r.Diagnostics, d => d.Code == "no_assessable_positive");
    }

    [Fact]
    public void Score_AbsoluteNormalization_DividesByAbsoluteWeights()
    {
        // (3 − 2) / (3 + 2 + 2 + 3) = 0.1
        var config = ScoringConfigLoader.Preset("rar-explicit");
        var r = new RewardPipeline(config).Score(R(C("a", 3), C("b", 2), C("c", -2), C("d", -3)),
            V(("a", Met), ("b", NotMet), ("c", Met), ("d", NotMet)));
        Assert.Equal(0.1, r.Reward!.Value, 12);
    }

    [Fact]
    public void Score_OrdinalLevel_MapsLinearly()
    {
        // levels 0..3, level 2 → 2/3; (2 · 2/3 + 1) / 3 = 7/9
        var scale = new CriterionScale([new(0, "none"), new(1, "some"), new(2, "most"), new(3, "all")]);
        var r = Default.Score(R(C("o", 2, scale: scale), C("b", 1)), V(("o", new Verdict(VerdictStatus.Met, Level: 2)), ("b", Met)));
        Assert.Equal(7.0 / 9, r.Reward!.Value, 12);
    }

    [Fact]
    public void Score_CriterionSaturation_AppliesConcaveTransform()
    {
        // v = 1/3, s(1/3) = (1 − e^(−2/3)) / (1 − e^(−2)); (2·s + 1) / 3 = 0.7084944576658453
        var scale = new CriterionScale([new(0, "a"), new(1, "b"), new(2, "c"), new(3, "d")]);
        var config = ScoringConfigLoader.Preset("default") with { Saturation = SaturationScope.Criterion, SaturationK = 2 };
        var r = new RewardPipeline(config).Score(R(C("o", 2, scale: scale), C("b", 1)),
            V(("o", new Verdict(VerdictStatus.Met, Level: 1)), ("b", Met)));
        Assert.Equal(0.7084944576658453, r.Reward!.Value, 12);
    }

    [Fact]
    public void Score_CategorySaturation_FavoursBalance()
    {
        // important: E = 2 of M = 4 → 4·s(0.5); essential: 1 of 1 → 1; (4·s(0.5) + 1) / 5 = 0.784846862904004
        var config = ScoringConfigLoader.Preset("default") with { Saturation = SaturationScope.Category };
        var rubric = R(C("a", 2, category: CriterionCategory.Important), C("b", 2, category: CriterionCategory.Important),
            C("c", 1, category: CriterionCategory.Essential));
        var r = new RewardPipeline(config).Score(rubric, V(("a", Met), ("b", NotMet), ("c", Met)));
        Assert.Equal(0.784846862904004, r.Reward!.Value, 12);
    }

    [Fact]
    public void Score_Synergy_AddsWeightToNumeratorAndMass()
    {
        // (1 + 1 + 0 + 1) / (3 + 1) = 0.75
        var config = ScoringConfigLoader.Preset("default") with { Interactions = [new Interaction("a", "b", InteractionKind.Synergy, 1)] };
        var r = new RewardPipeline(config).Score(R(C("a", 1), C("b", 1), C("c", 1)), V(("a", Met), ("b", Met), ("c", NotMet)));
        Assert.Equal(0.75, r.Reward!.Value, 12);
        Assert.Equal(1, r.Breakdown.InteractionTotal);
    }

    [Fact]
    public void Score_Conflict_SubtractsWhenBothMet()
    {
        // (1 + 1 − 1) / 3 = 1/3
        var config = ScoringConfigLoader.Preset("default") with { Interactions = [new Interaction("a", "b", InteractionKind.Conflict, 1)] };
        var r = new RewardPipeline(config).Score(R(C("a", 1), C("b", 1), C("c", 1)), V(("a", Met), ("b", Met), ("c", NotMet)));
        Assert.Equal(1.0 / 3, r.Reward!.Value, 12);
    }

    [Fact]
    public void Score_PowerShaping_SquaresClippedValue()
    {
        // 3/5 = 0.6 → 0.36
        var config = ScoringConfigLoader.Preset("default") with { Shaping = ShapingKind.Power, ShapingGamma = 2 };
        var r = new RewardPipeline(config).Score(R(C("a", 3), C("b", 2)), V(("a", Met), ("b", NotMet)));
        Assert.Equal(0.36, r.Reward!.Value, 12);
        Assert.Equal(0.6, r.Breakdown.Clipped!.Value, 12);
    }

    [Fact]
    public void Score_LogisticShaping_MatchesFormula()
    {
        // r = 0.8, k = 10, m = 0.5: (σ(3) − σ(−5)) / (σ(5) − σ(−5)) = 0.958714340214204
        var config = ScoringConfigLoader.Preset("default") with { Shaping = ShapingKind.Logistic, ShapingK = 10, ShapingMidpoint = 0.5 };
        var r = new RewardPipeline(config).Score(R(C("a", 4), C("b", 1)), V(("a", Met), ("b", NotMet)));
        Assert.Equal(0.958714340214204, r.Reward!.Value, 12);
    }

    [Fact]
    public void Score_Probabilities_UsePYesWhenConfigured()
    {
        // (2·0.8 + 2·0.3) / 4 = 0.55
        var config = ScoringConfigLoader.Preset("default") with { UseProbabilities = true };
        var r = new RewardPipeline(config).Score(R(C("a", 2), C("b", 2)),
            V(("a", new Verdict(VerdictStatus.Met, PYes: 0.8)), ("b", new Verdict(VerdictStatus.NotMet, PYes: 0.3))));
        Assert.Equal(0.55, r.Reward!.Value, 12);
    }

    [Fact]
    public void Score_RubiconPreset_VetoesThenSaturatesThenShapes()
    {
        // one category, E = 1 of M = 2: 2·s(0.5)/2 = s(0.5) = 0.731058578630005; squared = 0.534446645...
        var rubicon = new RewardPipeline(ScoringConfigLoader.Preset("rubicon"));
        var r = rubicon.Score(R(C("a", 1), C("b", 1)), V(("a", Met), ("b", NotMet)));
        var s = (1 - Math.Exp(-1)) / (1 - Math.Exp(-2));
        Assert.Equal(s * s, r.Reward!.Value, 12);
        var vetoed = rubicon.Score(R(C("a", 1), C("v", -1, veto: true)), V(("a", Met), ("v", Met)));
        Assert.Equal(0, vetoed.Reward);
    }

    [Fact]
    public void Score_UnknownCriterionInVerdicts_IsReported()
    {
        var r = Default.Score(R(C("a", 1)), V(("a", Met), ("zzz", Met)));
        Assert.Contains(r.Diagnostics, d => d.Code == "unknown_criterion" && d.CriterionId == "zzz");
    }

    [Fact]
    public void Check_ShapingWithoutClip_IsRejectedAtLoad()
    {
        var config = ScoringConfigLoader.Preset("default") with { Clip = false, Shaping = ShapingKind.Power };
        Assert.Throws<Tailmark.Io.InputException>(() => new RewardPipeline(config));
    }

    [Fact]
    public void RunStatistics_ClipsMeanAndBootstraps()
    {
        var stats = RunStatistics.Compute([0.125, -3.0, null], clipMean: true);
        Assert.Equal(0, stats.Mean); // mean(0.125, −3) = −1.4375 → clipped to 0
        Assert.Equal(1, stats.Undefined);
        var plain = RunStatistics.Compute([0.125, -3.0], clipMean: false);
        Assert.Equal(-1.4375, plain.Mean!.Value, 12);
        Assert.True(plain.BootstrapStd > 0);
        var constant = RunStatistics.Compute([0.5, 0.5, 0.5], clipMean: true);
        Assert.Equal(0, constant.BootstrapStd!.Value, 12);
    }

    [Fact]
    public void Breakdown_ListsEveryCriterionInRubricOrder()
    {
        var r = Default.Score(R(C("x", 1), C("y", -1), C("z", 2)), V(("x", Met), ("y", NotMet), ("z", Unknown)));
        Assert.Equal(new[] { "x", "y", "z" }, r.Breakdown.Criteria.Select(c => c.Id).ToArray());
        Assert.False(r.Breakdown.Criteria[2].Counted);
    }
}
