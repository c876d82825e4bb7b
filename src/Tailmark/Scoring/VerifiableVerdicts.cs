using Tailmark.Checks;
using Tailmark.Rubrics;

namespace Tailmark.Scoring;

/// <summary>
/// Gives every verifiable criterion of a rubric its verdict by running its check on the response — no judge
/// call. A verdict already present is kept. A check that cannot run is CannotAssess with the reason.
/// </summary>
public static class VerifiableVerdicts
{
    public static Dictionary<string, Verdict> Fill(Rubric rubric, IReadOnlyDictionary<string, Verdict> given, string response, CheckRunner runner)
    {
        var verdicts = new Dictionary<string, Verdict>(given, StringComparer.Ordinal);
        foreach (var c in rubric.Criteria)
        {
            if (c.Check is not { } check || verdicts.ContainsKey(c.Id)) continue;
            var (followed, failure) = runner.Run(check.Type, check.Parameters, response);
            verdicts[c.Id] = followed switch
            {
                true => new Verdict(VerdictStatus.Met, Reason: "check"),
                false => new Verdict(VerdictStatus.NotMet, Reason: "check"),
                null => Verdict.CannotAssess(failure ?? "check failed"),
            };
        }
        return verdicts;
    }
}
