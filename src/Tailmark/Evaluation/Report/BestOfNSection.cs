using Tailmark.Io;

namespace Tailmark.Evaluation.Report;

/// <summary>
/// Best-of-n curves read from <c>eval bon --out</c> rows (<c>{"n", "kl", "proxy", "gold", "rubrics"?}</c>): expected
/// proxy and gold reward of the pick against KL. Gold flattening while the proxy still climbs is over-optimization.
/// </summary>
public static class BestOfNSection
{
    public sealed record Curve(string Name, IReadOnlyList<BestOfNPoint> Points);

    private sealed record Named(string Name, BestOfNPoint Point);

    public static async Task<List<Curve>> ReadAsync(string path, CancellationToken ct = default)
    {
        var fallback = Path.GetFileNameWithoutExtension(path);
        var rows = await JsonlRows.ReadAsync(path, f =>
        {
            var name = f.String("rubrics") ?? fallback;
            var n = f.Integer("n");
            var kl = f.Number("kl", required: true);
            var proxy = f.Number("proxy", required: true);
            var gold = f.Number("gold", required: true);
            if (n is null) f.Log.Error("n", "required field is missing");
            else if (n < 1) f.Log.Error("n", "expected n ≥ 1");
            return n is { } nn && kl is { } k && proxy is { } p && gold is { } g ? new Named(name, new BestOfNPoint(nn, k, p, g)) : null;
        }, ct).ConfigureAwait(false);
        return [.. rows.GroupBy(r => r.Name).Select(g => new Curve(g.Key, [.. g.Select(r => r.Point).OrderBy(p => p.N)]))];
    }

    public static ReportSection Build(IReadOnlyList<Curve> curves, string source)
    {
        var datasets = curves.SelectMany((c, i) => new[]
        {
            ChartSpec.LineDataset($"{c.Name}: proxy", c.Points.Select(p => (p.Kl, p.Proxy)), i, dashed: true),
            ChartSpec.LineDataset($"{c.Name}: gold", c.Points.Select(p => (p.Kl, p.Gold)), i, yAxis: "y1"),
        });
        var chart = new ReportChart("best-of-n",
            "Expected reward of the best of n responses (by the proxy) against KL = log n − (n−1)/n: proxy dashed (left axis), gold solid (right axis).",
            ChartSpec.Lines(datasets, "KL from the base policy (nats)", "proxy reward of the pick", "gold reward of the pick"));
        var table = new ReportTable("Where gold peaks", ["rubrics", "largest n", "proxy at largest n", "gold at largest n", "gold peak (n)"],
            [.. curves.Select(c =>
            {
                var last = c.Points[^1];
                var peak = c.Points.MaxBy(p => p.Gold)!;
                return (IReadOnlyList<string>)[c.Name, last.N.ToString(System.Globalization.CultureInfo.InvariantCulture), ScoreSections.F(last.Proxy),
                    ScoreSections.F(last.Gold), $"{ScoreSections.F(peak.Gold)} ({peak.N})"];
            })]);
        return new ReportSection("Best-of-n",
            $"Computed exactly from order statistics over the scored pool (from {source}), not by sampling; a tie in the proxy is broken uniformly at random " +
                $"(in expectation).", [chart], [table]);
    }
}
