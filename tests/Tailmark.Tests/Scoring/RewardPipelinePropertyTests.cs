using FsCheck;
using FsCheck.Fluent;
using Tailmark.Rubrics;
using Tailmark.Scoring;

namespace Tailmark.Tests.Scoring;

/// <summary>Properties of the pipeline over random rubrics, verdicts and configurations (FsCheck).</summary>
public sealed class RewardPipelinePropertyTests
{
    private sealed record Case(Rubric Rubric, Dictionary<string, Verdict> Verdicts, ScoringConfig Config);

    private static readonly ScoringConfig[] Configs =
    [
        ScoringConfigLoader.Preset("default"),
        ScoringConfigLoader.Preset("ctt"),
        ScoringConfigLoader.Preset("rar-explicit"),
        ScoringConfigLoader.Preset("rubicon"),
        ScoringConfigLoader.Preset("default") with { Saturation = SaturationScope.Criterion, SaturationK = 5 },
        ScoringConfigLoader.Preset("default") with { Shaping = ShapingKind.Logistic, ShapingK = 8, ShapingMidpoint = 0.7 },
        ScoringConfigLoader.Preset("default") with { CannotAssess = CannotAssessPolicy.Zero,
            Interactions = [new Interaction("c0", "c1", InteractionKind.Synergy, 2)] },
    ];

    private static Gen<Case> Cases() =>
        from n in Gen.Choose(1, 8)
        from weights in Gen.ListOf(Gen.Choose(-5, 5), n)
        from vetoes in Gen.ListOf(Gen.Choose(0, 9), n)
        from categories in Gen.ListOf(Gen.Choose(0, 4), n)
        from statuses in Gen.ListOf(Gen.Choose(0, 5), n)
        from configIndex in Gen.Choose(0, Configs.Length - 1)
        select Build(weights.ToArray(), vetoes.ToArray(), categories.ToArray(), statuses.ToArray(), Configs[configIndex]);

    private static Case Build(int[] weights, int[] vetoes, int[] categories, int[] statuses, ScoringConfig config)
    {
        var criteria = weights.Select((w, i) => new Criterion
        {
            Id = $"c{i}",
            Text = $"criterion {i}",
            Weight = w,
            Veto = vetoes[i] == 0,
            Category = categories[i] < 4 ? (CriterionCategory)categories[i] : null,
        }).ToList();
        var verdicts = criteria.Select((c, i) => (c.Id, Verdict: statuses[i] switch
        {
            0 => Verdict.CannotAssess("judge error"),
            1 or 2 => Verdict.NotMet,
            _ => Verdict.Met,
        })).ToDictionary(x => x.Id, x => x.Verdict);
        return new Case(new Rubric { Id = "r", Criteria = [.. criteria] }, verdicts, config);
    }

    [Fact]
    public void Reward_AfterClipping_StaysInUnitInterval()
    {
        Prop.ForAll(Cases().ToArbitrary(), c =>
        {
            var reward = new RewardPipeline(c.Config).Score(c.Rubric, c.Verdicts).Reward;
            return reward is null || reward is >= 0 and <= 1;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Reward_PositiveCriterionFlipsToMet_NeverDecreases()
    {
        Prop.ForAll(Cases().ToArbitrary(), c =>
        {
            var pipeline = new RewardPipeline(c.Config);
            foreach (var criterion in c.Rubric.Criteria.Where(x => x.Weight > 0 && c.Verdicts[x.Id] == Verdict.NotMet))
            {
                var before = pipeline.Score(c.Rubric, c.Verdicts).Reward;
                var flipped = new Dictionary<string, Verdict>(c.Verdicts) { [criterion.Id] = Verdict.Met };
                var after = pipeline.Score(c.Rubric, flipped).Reward;
                if (before is { } b && after is { } a && a < b - 1e-12) return false;
            }
            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Reward_BelowJudgedCoverage_IsNullUnlessAVetoDecided()
    {
        Prop.ForAll(Cases().ToArbitrary(), c =>
        {
            // Every criterion here is judged: coverage is the assessed share of Σ|w|, computed independently.
            var total = c.Rubric.Criteria.Sum(x => Math.Abs(x.Weight));
            var assessed = c.Rubric.Criteria.Where(x => c.Verdicts[x.Id].Status != VerdictStatus.CannotAssess).Sum(x => Math.Abs(x.Weight));
            var result = new RewardPipeline(c.Config).Score(c.Rubric, c.Verdicts);
            var shortOfCoverage = total > 0 && assessed / total < c.Config.MinJudgedCoverage;
            return !shortOfCoverage || result.Breakdown.VetoedBy is not null || result.Reward is null;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Reward_ViolatedVeto_AlwaysDecides()
    {
        Prop.ForAll(Cases().ToArbitrary(), c =>
        {
            if (!c.Config.VetoEnabled) return true;
            var violated = c.Rubric.Criteria.Any(x => x.Veto &&
                (x.Weight >= 0 ? c.Verdicts[x.Id].Status == VerdictStatus.NotMet : c.Verdicts[x.Id].Status == VerdictStatus.Met));
            var reward = new RewardPipeline(c.Config).Score(c.Rubric, c.Verdicts).Reward;
            return !violated || reward == c.Config.VetoValue;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Reward_SameInputs_IsBitForBitRepeatable()
    {
        Prop.ForAll(Cases().ToArbitrary(), c =>
        {
            var first = new RewardPipeline(c.Config).Score(c.Rubric, c.Verdicts).Reward;
            var second = new RewardPipeline(c.Config).Score(c.Rubric, new Dictionary<string, Verdict>(c.Verdicts.Reverse())).Reward;
            return first.HasValue == second.HasValue
                && (first is null || BitConverter.DoubleToInt64Bits(first.Value) == BitConverter.DoubleToInt64Bits(second!.Value));
        }).QuickCheckThrowOnFailure();
    }
}
