namespace Tailmark.Evaluation;

/// <summary>
/// Exact best-of-n curves over a scored pool, from order statistics rather than sampling. The base policy draws
/// uniformly from a prompt's pool (with replacement); best-of-n keeps the draw with the highest proxy score, ties
/// broken uniformly at random. With the pool's distinct proxy levels L₁ &lt; … &lt; L_k and F_j the share of responses
/// scoring at most L_j, the pick's level is L_j with probability F_j^n − F_(j−1)^n, and within a level every
/// response is equally likely — so E[gold] = Σ_j (F_j^n − F_(j−1)^n) · mean gold at level j. Prompts are averaged.
/// A response without a proxy score (undefined reward) ranks below every scored one.
/// </summary>
public static class BestOfN
{
    public sealed record Candidate(string PromptId, double? Proxy, double Gold);

    public static IReadOnlyList<BestOfNPoint> Curve(IEnumerable<Candidate> pool, int maxN)
    {
        if (maxN < 1) throw new ArgumentOutOfRangeException(nameof(maxN), maxN, "at least 1");
        var prompts = pool.GroupBy(c => c.PromptId).Select(g => Levels([.. g])).ToList();
        if (prompts.Count == 0) return [];
        var points = new List<BestOfNPoint>();
        for (var n = 1; n <= maxN; n++)
        {
            double proxy = 0, gold = 0;
            foreach (var levels in prompts)
            {
                var (p, g) = Expected(levels, n);
                proxy += p;
                gold += g;
            }
            points.Add(new BestOfNPoint(n, Math.Log(n) - (n - 1.0) / n, proxy / prompts.Count, gold / prompts.Count));
        }
        return points;
    }

    private sealed record Level(double Proxy, double Cdf, double PreviousCdf, double MeanGold);

    private static List<Level> Levels(List<Candidate> candidates)
    {
        // Undefined proxies form the lowest level; their proxy value counts as 0 in the expected proxy.
        var groups = candidates.GroupBy(c => c.Proxy).OrderBy(g => g.Key ?? double.NegativeInfinity).ToList();
        var levels = new List<Level>();
        var seen = 0;
        foreach (var g in groups)
        {
            var before = (double)seen / candidates.Count;
            seen += g.Count();
            levels.Add(new Level(g.Key ?? 0, (double)seen / candidates.Count, before, g.Average(c => c.Gold)));
        }
        return levels;
    }

    private static (double Proxy, double Gold) Expected(List<Level> levels, int n)
    {
        double proxy = 0, gold = 0;
        foreach (var l in levels)
        {
            var p = Math.Pow(l.Cdf, n) - Math.Pow(l.PreviousCdf, n);
            proxy += p * l.Proxy;
            gold += p * l.MeanGold;
        }
        return (proxy, gold);
    }

    /// <summary>The smallest n after which gold never rises again, if the proxy still rises after it (over-optimization).</summary>
    public static int? GoldPeak(IReadOnlyList<BestOfNPoint> curve)
    {
        if (curve.Count < 2) return null;
        var peak = 0;
        for (var i = 1; i < curve.Count; i++)
        {
            if (curve[i].Gold > curve[peak].Gold + 1e-12) peak = i;
        }
        var proxyStillRises = curve[^1].Proxy > curve[peak].Proxy + 1e-12;
        return peak < curve.Count - 1 && proxyStillRises ? curve[peak].N : null;
    }
}
