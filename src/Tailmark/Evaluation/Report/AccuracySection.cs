using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tailmark.Io;

namespace Tailmark.Evaluation.Report;

/// <summary>
/// Tail accuracy: for each way of building rubrics, accuracy on preference pairs per reward region with its bootstrap
/// 95% interval — read from accuracy rows (<see cref="AccuracyRowWriter"/>); one chart per region.
/// </summary>
public static class AccuracySection
{
    private static readonly string[] IntervalFields = ["accuracy", "ci_low", "ci_high"];

    public sealed record Row(string Rubrics, IReadOnlyList<AccuracyWithInterval> Regions);

    public static Task<List<Row>> ReadAsync(string path, CancellationToken ct = default) =>
        JsonlRows.ReadAsync(path, f =>
        {
            var name = f.String("rubrics", required: true);
            var regions = new List<AccuracyWithInterval>();
            f.Raw("mean_criteria");
            foreach (var (region, value) in f.Rest(quiet: true))
            {
                if (value.ValueKind != JsonValueKind.Object) continue; // pass-through fields of other tools
                var r = new JsonFieldReader(value, region, f.Log);
                var pairs = r.Integer("pairs") ?? 0;
                var ties = r.Integer("ties") ?? 0;
                if (pairs < 0) f.Log.Error(r.FieldPath("pairs"), "expected a count, not a negative number");
                if (ties < 0 || ties > pairs) f.Log.Error(r.FieldPath("ties"), $"expected a count between 0 and the pairs ({pairs})");
                // The accuracy and its interval come together, or not at all (a region without pairs).
                var numbers = IntervalFields.Select(n => (Name: n, Given: r.Has(n), Value: r.Number(n))).ToList();
                foreach (var (n, _, v) in numbers)
                {
                    if (v is { } x && !(x is >= 0 and <= 1)) f.Log.Error(r.FieldPath(n), "expected a value in [0, 1]");
                }
                if (numbers.Any(n => !n.Given) && numbers.Any(n => n.Given))
                {
                    f.Log.Error(r.FieldPath(numbers.First(n => !n.Given).Name), "accuracy, ci_low and ci_high are given together or not at all");
                }
                r.Rest();
                regions.Add(new AccuracyWithInterval(region, pairs, ties, numbers[0].Value ?? double.NaN, numbers[1].Value ?? double.NaN, numbers[2].Value
                    ?? double.NaN));
            }
            return name is null ? null : new Row(name, regions);
        }, ct);

    public static ReportSection Build(IReadOnlyList<Row> rows, string source)
    {
        var regions = rows.SelectMany(r => r.Regions).Select(r => r.Region).Distinct()
            .OrderBy(r => r switch { "high" => 0, "low" => 1, "mixed" => 2, "all" => 3, _ => 4 }).ThenBy(r => r, StringComparer.Ordinal).ToList();
        var names = rows.Select(r => r.Rubrics).ToList();
        var charts = new List<ReportChart>();
        foreach (var (region, i) in regions.Select((r, i) => (r, i)))
        {
            var cells = rows.Select(r => r.Regions.FirstOrDefault(x => x.Region == region)).ToList();
            var interval = ChartSpec.BarDataset("95% interval",
                cells.Select(c => c is null || double.IsNaN(c.Low) ? null : (JsonNode)new JsonArray(c.Low, c.High)), i);
            interval["backgroundColor"] = ChartSpec.Color(i, 0.3);
            var point = ChartSpec.PointDataset("accuracy", cells.Select(c => c is null || double.IsNaN(c.Accuracy) ? null : (JsonNode)c.Accuracy), i);
            var caption = $"Accuracy on {region}-reward pairs: the diamond is the accuracy, the bar its bootstrap 95% interval (1,000 resamples).";
            charts.Add(new ReportChart($"accuracy-{charts.Count}", caption, ChartSpec.Bars(names, [point, interval], "rubrics", "accuracy", yMin: 0, yMax: 1)));
        }
        var columns = new List<string> { "rubrics" };
        columns.AddRange(regions.Select(r => $"{r} (pairs)"));
        var table = new ReportTable("Accuracy [95% interval]", columns, [.. rows.Select(r =>
        {
            var cells = new List<string> { r.Rubrics };
            cells.AddRange(regions.Select(region => r.Regions.FirstOrDefault(x => x.Region == region) is { } a && !double.IsNaN(a.Accuracy)
                ? string.Create(CultureInfo.InvariantCulture, $"{a.Accuracy:0.000} [{a.Low:0.000}, {a.High:0.000}] ({a.Pairs})")
                : "-"));
            return (IReadOnlyList<string>)cells;
        })]);
        return new ReportSection("Tail accuracy",
            $"How often the rubric reward orders a preference pair the way gold does, by reward region (from {source}). " +
            "The high-reward region is where optimization pushes a policy; an accuracy that holds there is what keeps a reward from being gamed.",
            charts, [table]);
    }
}
