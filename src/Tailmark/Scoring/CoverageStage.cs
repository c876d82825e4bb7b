using System.Globalization;

namespace Tailmark.Scoring;

/// <summary>
/// Stage 1b: how much of the rubric's judged weight (Σ|w| of the criteria without a check) got a verdict. Below the
/// configured share the reward is undefined — null with <c>insufficient_coverage</c> — whatever the CannotAssess
/// policy made of the rest: a number built from the few criteria a failing judge happened to answer, or from the
/// verifiable ones alone, is not a reward. A rubric without judged criteria is fully covered.
/// </summary>
internal static class CoverageStage
{
    public static void Apply(ScoreWork work)
    {
        double judged = 0, covered = 0;
        foreach (var item in work.Items.Where(i => !i.Criterion.IsVerifiable))
        {
            judged += Math.Abs(item.Weight);
            if (item.Verdict.Status != VerdictStatus.CannotAssess) covered += Math.Abs(item.Weight);
        }
        if (!(judged > 0)) return;
        work.JudgedCoverage = covered / judged;
        if (work.JudgedCoverage < work.Config.MinJudgedCoverage)
        {
            work.Uncovered = true;
            work.Diagnostics.Add(new("insufficient_coverage",
                $"only {N(covered)} of {N(judged)} judged weight got a verdict; at least {N(100 * work.Config.MinJudgedCoverage)}% is required"));
        }
    }

    private static string N(double value) => value.ToString("0.##", CultureInfo.InvariantCulture);
}
