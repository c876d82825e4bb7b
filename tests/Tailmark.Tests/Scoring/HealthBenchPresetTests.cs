using Tailmark.Rubrics;
using Tailmark.Rubrics.Formats;
using Tailmark.Scoring;
using Tailmark.Tests.Support;
using static Tailmark.Tests.Support.RubricBuilder;

namespace Tailmark.Tests.Scoring;

/// <summary>
/// The <c>healthbench</c> preset against HealthBench's formula: Σ points of met items / Σ positive points, the
/// per-example score unclipped, no score without positive points, the run mean clipped to [0,1].
/// </summary>
public sealed class HealthBenchPresetTests
{
    private static readonly RewardPipeline HealthBench = new(ScoringConfigLoader.Preset("healthbench"));

    [Fact]
    public void Score_HandMadeExample_MatchesFormula()
    {
        // points 5 (met), 3 (not), −4 (met), −2 (not): (5 − 4) / (5 + 3) = 0.125
        var r = HealthBench.Score(R(C("a", 5), C("b", 3), C("c", -4), C("d", -2)),
            V(("a", Met), ("b", NotMet), ("c", Met), ("d", NotMet)));
        Assert.Equal(0.125, r.Reward);
    }

    [Fact]
    public void Score_NegativeTotal_IsNotClippedPerExample()
    {
        // points 2 (not), −6 (met): −6 / 2 = −3
        var r = HealthBench.Score(R(C("a", 2), C("c", -6)), V(("a", NotMet), ("c", Met)));
        Assert.Equal(-3, r.Reward);
    }

    [Fact]
    public void Score_NoPositivePoints_HasNoScore()
    {
        var r = HealthBench.Score(R(C("c", -6), C("d", -1)), V(("c", Met), ("d", NotMet)));
        Assert.Null(r.Reward);
    }

    [Fact]
    public void RunMean_IsClippedLikeHealthBench()
    {
        var rewards = new double?[] { 0.125, -3 };
        var stats = RunStatistics.Compute(rewards, HealthBench.Config.ClipRunMean);
        Assert.Equal(0, stats.Mean); // mean −1.4375 clipped to 0
    }

    [Fact]
    public async Task Score_RealExamplesWithSeededVerdicts_EqualsDirectFormula()
    {
        var random = new Random(20251122);
        await foreach (var row in new HealthBenchFormat().ReadAsync(TestPaths.HealthBench))
        {
            var rubric = row.Rubric!;
            var verdicts = rubric.Criteria.ToDictionary(c => c.Id, _ => random.Next(2) == 0 ? Met : NotMet);
            var positive = rubric.Criteria.Where(c => c.Weight > 0).Sum(c => c.Weight);
            var achieved = rubric.Criteria.Where(c => verdicts[c.Id] == Met).Sum(c => c.Weight);
            var expected = achieved / positive;
            Assert.Equal(expected, HealthBench.Score(rubric, verdicts).Reward!.Value, 12);
        }
    }
}
