using System.Collections.Immutable;
using System.Text.Json;
using Tailmark.Rubrics;
using Tailmark.Scoring;
using static Tailmark.Tests.Support.RubricBuilder;

namespace Tailmark.Tests.Scoring;

/// <summary>The coverage rule: a reward built from too little of the judged weight is undefined, whatever the policy.</summary>
public sealed class CoverageTests
{
    private static readonly RewardPipeline Default = new(ScoringConfigLoader.Preset("default"));

    private static Criterion Verifiable(string id, double weight) => C(id, weight) with
    {
        Check = new CheckSpec("length_constraints:number_words", ImmutableSortedDictionary<string, JsonElement>.Empty),
    };

    [Fact]
    public void Score_VerifiablePassesAndEveryJudgedCriterionUnassessed_IsNullNotOne()
    {
        // The audit's case: the only verdict is the check's. Before the rule, skip gave 1 / 1 = 1.0.
        var rubric = R(Verifiable("len", 1), C("a", 3), C("b", 2), C("c", -2));
        var r = Default.Score(rubric, V(("len", Met), ("a", Unknown), ("b", Unknown), ("c", Unknown)));
        Assert.Null(r.Reward);
        var d = Assert.Single(r.Diagnostics, d => d.Code == "insufficient_coverage");
        Assert.Equal("only 0 of 7 judged weight got a verdict; at least 75% is required", d.Message);
        Assert.Equal(0, r.Breakdown.JudgedCoverage);
    }

    [Theory]
    [InlineData("skip")]
    [InlineData("zero")]
    [InlineData("fail")]
    public void Score_BelowCoverage_IsNullUnderEveryPolicy(string policy)
    {
        // Judged weight |3| + |2| + |−2| = 7; assessed: c (2) → 2/7 ≈ 0.29 < 0.75.
        var config = ScoringConfigLoader.Preset("default") with { CannotAssess = Enum.Parse<CannotAssessPolicy>(policy, true) };
        var r = new RewardPipeline(config).Score(R(C("a", 3), C("b", 2), C("c", -2)), V(("a", Unknown), ("b", Unknown), ("c", NotMet)));
        Assert.Null(r.Reward);
        Assert.Contains(r.Diagnostics, d => d.Code == "insufficient_coverage" && d.Message.StartsWith("only 2 of 7 judged weight", StringComparison.Ordinal));
        Assert.Equal(2.0 / 7, r.Breakdown.JudgedCoverage!.Value, 12);
    }

    [Fact]
    public void Score_AtTheThreshold_IsDefined()
    {
        // a (3) assessed of a + b (4) = 0.75, exactly the default share: skip gives 3 / 3 = 1.
        var r = Default.Score(R(C("a", 3), C("b", 1)), V(("a", Met), ("b", Unknown)));
        Assert.Equal(1.0, r.Reward!.Value, 12);
        Assert.Equal(0.75, r.Breakdown.JudgedCoverage!.Value, 12);
        Assert.DoesNotContain(r.Diagnostics, d => d.Code == "insufficient_coverage");
    }

    [Fact]
    public void Score_PitfallWeightCounts_ByItsMagnitude()
    {
        // a (1) assessed, c (−3) not: 1 / 4 = 0.25 < 0.75, although every positive criterion was judged.
        var r = Default.Score(R(C("a", 1), C("c", -3)), V(("a", Met), ("c", Unknown)));
        Assert.Null(r.Reward);
        Assert.Equal(0.25, r.Breakdown.JudgedCoverage!.Value, 12);
    }

    [Fact]
    public void Score_RubricWithoutJudgedCriteria_IsFullyCovered()
    {
        var r = Default.Score(R(Verifiable("len", 2), Verifiable("words", 1)), V(("len", Met), ("words", NotMet)));
        Assert.Equal(2.0 / 3, r.Reward!.Value, 12);
        Assert.Null(r.Breakdown.JudgedCoverage);
    }

    [Fact]
    public void Score_ViolatedVetoStillDecides_WhenCoverageIsShort()
    {
        // The veto rests on a real verdict; the rest of the rubric could only have been overruled by it.
        var r = Default.Score(R(C("a", 5), C("v", 1, veto: true)), V(("a", Unknown), ("v", NotMet)));
        Assert.Equal(0, r.Reward);
        Assert.Equal("v", r.Breakdown.VetoedBy);
        Assert.Contains(r.Diagnostics, d => d.Code == "insufficient_coverage");
    }

    [Theory]
    [InlineData(0.0, 1.0)]  // the rule off: skip gives a / a = 1
    [InlineData(0.25, 1.0)] // 3 of 7 ≈ 0.43 ≥ 0.25
    [InlineData(0.5, null)] // 0.43 < 0.5
    public void Score_ConfiguredShare_IsTheThreshold(double share, double? expected)
    {
        var config = ScoringConfigLoader.Preset("default") with { MinJudgedCoverage = share };
        var r = new RewardPipeline(config).Score(R(C("a", 3), C("b", 4)), V(("a", Met), ("b", Unknown)));
        Assert.Equal(expected, r.Reward);
    }

    [Fact]
    public void ScoringFile_SetsTheShare_AndRejectsOneOutsideZeroToOne()
    {
        Assert.Equal(0.5, ScoringConfigLoader.FromText("preset: ctt\nmin_judged_coverage: 0.5\n", "s.yaml").MinJudgedCoverage);
        Assert.Equal(ScoringConfig.DefaultMinJudgedCoverage, ScoringConfigLoader.Preset("healthbench").MinJudgedCoverage);
        var ex = Assert.Throws<Tailmark.Io.InputException>(() => ScoringConfigLoader.FromText("min_judged_coverage: 1.5\n", "s.yaml"));
        Assert.Contains("min_judged_coverage must lie in [0,1]", ex.Message);
    }
}
