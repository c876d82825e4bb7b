namespace Tailmark.Scoring;

/// <summary>
/// Stage 5: the sum. Numerator = Σ contributions + synergy − conflict. Positive normalization divides by the
/// counted positive weight (plus synergy weights); absolute normalization by the counted absolute weight.
/// A rubric with no positive criterion follows <see cref="AllNegativeRule"/>. When nothing can be divided by,
/// the reward is undefined (null) with a diagnostic.
/// </summary>
internal static class NormalizationStage
{
    public static void Apply(ScoreWork work)
    {
        var counted = work.Counted.ToList();
        var numerator = counted.Sum(i => i.Contribution) + work.InteractionBonus - work.InteractionPenalty;
        if (work.Config.Normalization == Normalization.Absolute)
        {
            work.Denominator = counted.Sum(i => Math.Abs(i.Weight)) + work.SynergyMass;
            if (work.Denominator > 0) work.Raw = numerator / work.Denominator;
            else Undefined(work, "nothing_assessed", "no criterion with a non-zero weight could be assessed");
            return;
        }
        work.Denominator = counted.Where(i => i.Weight > 0).Sum(i => i.Weight) + work.SynergyMass;
        if (work.Denominator > 0)
        {
            work.Raw = numerator / work.Denominator;
            return;
        }
        if (work.Rubric.Criteria.Any(c => c.Weight > 0))
        {
            Undefined(work, "no_assessable_positive", "every positive criterion was skipped as CannotAssess");
            return;
        }
        var penaltyMass = counted.Where(i => i.Weight < 0).Sum(i => -i.Weight);
        if (penaltyMass <= 0)
        {
            Undefined(work, "nothing_assessed", "no criterion with a non-zero weight could be assessed");
            return;
        }
        if (work.Config.AllNegative == AllNegativeRule.Undefined)
        {
            Undefined(work, "no_positive_criteria", "the rubric has no positive criterion, so the score is undefined");
            return;
        }
        work.Denominator = penaltyMass;
        work.Raw = 1 + numerator / penaltyMass;
    }

    private static void Undefined(ScoreWork work, string code, string message) =>
        work.Diagnostics.Add(new(code, message));
}
