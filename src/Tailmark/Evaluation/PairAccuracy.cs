namespace Tailmark.Evaluation;

/// <summary>
/// Pairs of responses to the same prompt, ordered by gold and split by reward region: a pair is "high" when both
/// responses are in the upper half of their prompt's responses by gold, "low" when both are in the lower half,
/// "mixed" otherwise. Pairs with equal gold are skipped. <see cref="PairEvaluation"/> turns the outcomes into
/// accuracies with intervals (the paper counts a proxy tie, or an undefined proxy, as wrong).
/// </summary>
public static class PairAccuracy
{
    public sealed record Scored(string PromptId, string ResponseId, double Gold, double? Proxy);

    public static IReadOnlyList<PairEvaluation.Outcome> Outcomes(IEnumerable<Scored> responses)
    {
        var outcomes = new List<PairEvaluation.Outcome>();
        // Prompts in a fixed order: the bootstrap resamples by position, so an order that followed the grading's
        // completion would give other intervals on every run.
        foreach (var group in responses.GroupBy(r => r.PromptId).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            var ranked = group.OrderByDescending(r => r.Gold).ThenBy(r => r.ResponseId, StringComparer.Ordinal).ToList();
            var upper = ranked.Take(ranked.Count / 2).Select(r => r.ResponseId).ToHashSet();
            var lower = ranked.Skip((ranked.Count + 1) / 2).Select(r => r.ResponseId).ToHashSet();
            for (var i = 0; i < ranked.Count; i++)
            {
                for (var j = i + 1; j < ranked.Count; j++)
                {
                    var (a, b) = (ranked[i], ranked[j]);
                    if (a.Gold.Equals(b.Gold)) continue;
                    var region = upper.Contains(a.ResponseId) && upper.Contains(b.ResponseId) ? "high"
                        : lower.Contains(a.ResponseId) && lower.Contains(b.ResponseId) ? "low" : "mixed";
                    outcomes.Add(new PairEvaluation.Outcome(region, a.Proxy, b.Proxy)); // a has the higher gold
                }
            }
        }
        return outcomes;
    }

    /// <summary>Accuracy with ties wrong and a bootstrap interval in the high, low and all regions.</summary>
    public static (AccuracyWithInterval High, AccuracyWithInterval Low, AccuracyWithInterval All) Compute(IEnumerable<Scored> responses)
    {
        var rows = PairEvaluation.Compute(Outcomes(responses), PairTies.Wrong);
        AccuracyWithInterval Pick(string region) => rows.FirstOrDefault(r => r.Region == region)
            ?? new AccuracyWithInterval(region, 0, 0, double.NaN, double.NaN, double.NaN);
        return (Pick("high"), Pick("low"), Pick("all"));
    }
}
