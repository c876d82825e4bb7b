using System.Collections.Immutable;
using Tailmark.Rubrics;

namespace Tailmark.Scoring;

/// <summary>
/// Verdicts → reward. Stages in order: criterion values and the CannotAssess policy, judged coverage, veto,
/// saturation, interactions, normalization, clipping, shaping. A violated veto sets the reward to the veto value
/// whatever else holds; a failed, undefined or insufficiently covered score is null, never 0. Pure and deterministic.
/// </summary>
public sealed class RewardPipeline
{
    public RewardPipeline(ScoringConfig config)
    {
        ScoringConfigLoader.Check(config);
        Config = config;
    }

    public ScoringConfig Config { get; }

    public RewardResult Score(Rubric rubric, IReadOnlyDictionary<string, Verdict> verdicts)
    {
        var work = new ScoreWork(rubric, Config);
        CriterionValueStage.Apply(work, verdicts);
        CoverageStage.Apply(work);
        foreach (var id in verdicts.Keys.Where(id => rubric.Find(id) is null).Order(StringComparer.Ordinal))
        {
            work.Diagnostics.Add(new("unknown_criterion", "a verdict names a criterion the rubric does not have", id));
        }
        VetoStage.Apply(work);
        SaturationStage.Apply(work);
        InteractionStage.Apply(work);
        NormalizationStage.Apply(work);
        ShapingStage.Apply(work);

        double? reward = work.VetoedBy is not null ? Config.VetoValue
            : work.Failed || work.Uncovered ? null
            : work.Shaped ?? work.Clipped ?? work.Raw;

        var parts = work.Items.Select(i => new CriterionScore(
            i.Criterion.Id, i.Weight, i.Verdict.Status, i.Counted, i.Value, i.Contribution, i.Verdict.Reason));
        var breakdown = new RewardBreakdown(
            [.. parts],
            Earned: work.Counted.Where(i => i.Weight > 0).Sum(i => i.Contribution),
            Penalty: -work.Counted.Where(i => i.Weight < 0).Sum(i => i.Contribution),
            InteractionTotal: work.InteractionBonus - work.InteractionPenalty,
            Denominator: work.Denominator,
            Raw: work.Raw,
            Clipped: work.Clipped,
            Shaped: work.Shaped,
            VetoedBy: work.VetoedBy,
            JudgedCoverage: work.JudgedCoverage);
        return new RewardResult(reward, breakdown, [.. work.Diagnostics]);
    }
}
