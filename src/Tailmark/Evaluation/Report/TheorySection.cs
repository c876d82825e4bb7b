namespace Tailmark.Evaluation.Report;

/// <summary>The Theorem-1 curves: win rate against KL for each map, for the KL-regularized optimum and for best-of-n.</summary>
public static class TheorySection
{
    public static ReportSection Build(IReadOnlyList<TheoryCurvePoint> points, string idPrefix = "theory")
    {
        ReportChart Chart(string family, string id, string caption)
        {
            var datasets = points.Where(p => p.Family == family).GroupBy(p => p.Map)
                .Select((g, i) => ChartSpec.LineDataset(g.Key, g.OrderBy(p => p.Kl).Select(p => (p.Kl, p.WinRate)), i,
                    dashed: g.Key.StartsWith("worst", StringComparison.Ordinal)));
            return new ReportChart(id, caption,
                ChartSpec.Lines(datasets, "KL from the base policy (nats)", "win rate against the base policy", yMin: 0, yMax: 1));
        }
        return new ReportSection("Theory: what ranking errors in the tail cost",
            "Theorem 1 of Chasing the Tail: the win rate over the base policy that optimizing a misspecified reward can reach, against the KL it spends. " +
            "correct ranks every response right; top:C misranks the best C of responses (reversed order inside the top quantile), worst:C the worst C; " +
                "reversed ranks all backwards. " +
            "Errors at the top cap the win rate however much KL is spent; errors at the bottom barely matter — the reason to spend rubric effort on the tail.",
            [
                Chart(TheoryCurves.KlRegularized, $"{idPrefix}-kl", "KL-regularized optimum, β from 10 down to 0.01."),
                Chart(TheoryCurves.BestOfN, $"{idPrefix}-bon", "Best-of-n, n = 1, 2, 4, …, 1024 (KL = log n − (n−1)/n)."),
            ], []);
    }
}
