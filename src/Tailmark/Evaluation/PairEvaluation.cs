namespace Tailmark.Evaluation;

/// <summary>
/// Accuracy of a reward on preference pairs: a pair is right when the chosen response's reward is higher; a tie (or
/// an undefined reward on either side) follows <see cref="PairTies"/>. Reported per region with a bootstrap 95%
/// interval: 1,000 resamples of the region's pairs with replacement (seeded), the 2.5th and 97.5th percentiles.
/// </summary>
public static class PairEvaluation
{
    public sealed record Outcome(string Region, double? Chosen, double? Rejected);

    public static IReadOnlyList<AccuracyWithInterval> Compute(IReadOnlyList<Outcome> outcomes, PairTies ties, int resamples = 1000, int seed = 0)
    {
        var regions = outcomes.Select(o => o.Region).Distinct().Order(StringComparer.Ordinal).ToList();
        var result = new List<AccuracyWithInterval> { Region("all", outcomes, ties, resamples, seed) };
        if (regions.Count > 1 || (regions.Count == 1 && regions[0] != "all"))
        {
            result.AddRange(regions.Select(r => Region(r, [.. outcomes.Where(o => o.Region == r)], ties, resamples, seed)));
        }
        return result;
    }

    /// <summary>A pair's credit: 1 right, 0 wrong, 0.5 or null (excluded) for a tie.</summary>
    public static double? Credit(Outcome o, PairTies ties)
    {
        var tie = o.Chosen is null || o.Rejected is null || o.Chosen.Value.Equals(o.Rejected.Value);
        if (!tie) return o.Chosen > o.Rejected ? 1 : 0;
        return ties switch { PairTies.Wrong => 0, PairTies.Half => 0.5, _ => null };
    }

    private static AccuracyWithInterval Region(string name, IReadOnlyList<Outcome> outcomes, PairTies ties, int resamples, int seed)
    {
        var credits = outcomes.Select(o => Credit(o, ties)).Where(c => c is not null).Select(c => c!.Value).ToArray();
        var tieCount = outcomes.Count(o => o.Chosen is null || o.Rejected is null || o.Chosen.Value.Equals(o.Rejected.Value));
        if (credits.Length == 0) return new AccuracyWithInterval(name, 0, tieCount, double.NaN, double.NaN, double.NaN);
        var stats = Bootstrap.SortedMeans(credits, resamples, seed);
        return new AccuracyWithInterval(name, credits.Length, tieCount, credits.Average(), Bootstrap.Percentile(stats, 0.025),
            Bootstrap.Percentile(stats, 0.975));
    }
}
