using Tailmark.Rubrics;

namespace Tailmark.Scoring;

/// <summary>
/// Stage 1: turns each verdict into a value in [0,1] and applies the CannotAssess policy.
/// Met = 1, NotMet = 0, an ordinal level maps linearly onto [0,1], and P(yes) is used when configured.
/// </summary>
internal static class CriterionValueStage
{
    public static void Apply(ScoreWork work, IReadOnlyDictionary<string, Verdict> verdicts)
    {
        var policy = work.Rubric.CannotAssess is { } own && CannotAssessPolicies.TryParse(own, out var p)
            ? p
            : work.Config.CannotAssess;
        foreach (var criterion in work.Rubric.Criteria)
        {
            if (!verdicts.TryGetValue(criterion.Id, out var verdict))
            {
                verdict = Verdict.CannotAssess("missing: no verdict for this criterion");
                work.Diagnostics.Add(new("missing_verdict", "no verdict was given for this criterion", criterion.Id));
            }
            var item = new WorkItem(criterion, verdict);
            work.Items.Add(item);
            if (verdict.Status == VerdictStatus.CannotAssess)
            {
                if (verdict.Reason is null || !verdict.Reason.StartsWith("missing", StringComparison.Ordinal))
                {
                    work.Diagnostics.Add(new("cannot_assess", verdict.Reason ?? "cannot assess", criterion.Id));
                }
                item.Counted = policy == CannotAssessPolicy.Zero;
                item.Value = 0;
                if (policy == CannotAssessPolicy.Fail) work.Failed = true;
                continue;
            }
            item.Counted = true;
            item.Value = ValueOf(criterion, verdict, work);
        }
        if (work.Failed)
        {
            work.Diagnostics.Add(new("failed", "a criterion could not be assessed and the CannotAssess policy is 'fail'"));
        }
        foreach (var item in work.Items) item.Contribution = item.Counted ? item.Weight * item.Value : 0;
    }

    private static double ValueOf(Criterion criterion, Verdict verdict, ScoreWork work)
    {
        if (work.Config.UseProbabilities && verdict.PYes is { } pYes && double.IsFinite(pYes))
        {
            return Math.Clamp(pYes, 0, 1);
        }
        if (criterion.Scale is { } scale && verdict.Level is { } level)
        {
            if (!scale.HasLevel(level))
            {
                work.Diagnostics.Add(new("unknown_level", $"level {level} is not one of the criterion's levels", criterion.Id));
            }
            return scale.Normalize(level);
        }
        return verdict.Status == VerdictStatus.Met ? 1 : 0;
    }
}
