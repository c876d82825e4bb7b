using System.Globalization;
using System.Text.Json.Nodes;

namespace Tailmark.Evaluation.Report;

/// <summary>The "scores" part of a report: reward distributions by generator and the pass rate of every criterion.</summary>
public static class ScoreSections
{
    public const int Bins = 20;

    /// <summary>Up to this many criteria get a bar each; beyond, the chart shows how pass rates are distributed.</summary>
    public const int MaxCriterionBars = 400;

    /// <summary>Tables list at most this many rows (the page stays small enough to open); the caption says what was cut.</summary>
    public const int MaxTableRows = 2000;

    private static string Cut(int count) => count > MaxTableRows ? $", the first {I(MaxTableRows)} shown" : "";

    /// <summary>Pass rates at or above this mark a criterion as saturated: it no longer separates the tail.</summary>
    public const double Saturated = 0.95;

    public static IReadOnlyList<ReportSection> Build(GradedSummary graded, string source, IReadOnlyDictionary<(string Rubric, string Criterion),
        string>? texts = null)
    {
        var all = graded.RewardsByGenerator.Values.SelectMany(v => v).ToList();
        var sections = new List<ReportSection>();
        if (all.Count > 0)
        {
            // [0, 1] when every reward lies there, else the rewards' own range.
            var (lo, hi) = all.All(r => r is >= 0 and <= 1) ? (0.0, 1.0) : (all.Min(), all.Max());
            var labels = Enumerable.Range(0, Bins).Select(i => F(lo + i * (hi - lo) / Bins)).ToList();
            var datasets = graded.RewardsByGenerator.Select((kv, i) =>
                ChartSpec.BarDataset(kv.Key, GradedSummary.Histogram(kv.Value, lo, hi, Bins).Select(c => (JsonNode?)c), i, "rewards"));
            var chart = new ReportChart("scores-histogram",
                $"Rewards of {all.Count} responses in {Bins} bins from {F(lo)} to {F(hi)} (label = left edge), stacked by generator.",
                ChartSpec.Bars(labels, datasets, "reward", "responses", stacked: true));
            var table = new ReportTable("Reward by generator", ["generator", "responses", "mean", "median", "min", "max"],
                [.. graded.RewardsByGenerator.Select(kv =>
                    (IReadOnlyList<string>)[kv.Key, kv.Value.Count.ToString(CultureInfo.InvariantCulture), F(kv.Value.Average()), F(Median(kv.Value)),
                        F(kv.Value.Min()), F(kv.Value.Max())])]);
            var undefined = graded.UndefinedRewards > 0 ? $" {graded.UndefinedRewards} rows had an undefined reward (null) and are left out of the chart." : "";
            sections.Add(new ReportSection("Score distributions", $"Rewards from {source}.{undefined}", [chart], [table]));
        }
        var decided = graded.Criteria.Where(c => !double.IsNaN(c.PassRate)).OrderByDescending(c => c.PassRate).ThenBy(c => c.RubricId,
            StringComparer.Ordinal).ThenBy(c => c.CriterionId, StringComparer.Ordinal).ToList();
        if (decided.Count > 0)
        {
            ReportChart chart;
            if (decided.Count <= MaxCriterionBars)
            {
                var colors = decided.Select(c =>
                    (JsonNode?)(c.PassRate >= Saturated ? ChartSpec.Color(3, 0.8) : c.PassRate == 0 ? "rgba(120,120,120,0.6)" : ChartSpec.Color(0,
                        0.75))).ToList();
                var bars = ChartSpec.BarDataset("pass rate", decided.Select(c => (JsonNode?)c.PassRate), 0);
                bars["backgroundColor"] = new JsonArray([.. colors]);
                chart = new ReportChart("criteria-pass-rates",
                    $"Pass rate of each of {decided.Count} criteria (met ÷ decided verdicts), highest first; red: saturated (≥ {F(Saturated)}), " +
                    "grey: never met.",
                    ChartSpec.Bars(decided.Select(c => $"{c.RubricId} · {c.CriterionId}"), [bars], "criterion (rubric · id)", "pass rate", yMin: 0, yMax: 1));
            }
            else
            {
                // Too many criteria for a bar each to be read: how many criteria fall at each pass rate instead.
                var counts = GradedSummary.Histogram(decided.Select(c => c.PassRate), 0, 1, Bins);
                chart = new ReportChart("criteria-pass-rates",
                    $"How many of the {decided.Count} criteria have each pass rate (met ÷ decided verdicts), in {Bins} bins; the last bin holds the " +
                        $"saturated ones.",
                    ChartSpec.Bars(Enumerable.Range(0, Bins).Select(i => F(i / (double)Bins)),
                        [ChartSpec.BarDataset("criteria", counts.Select(c => (JsonNode?)c), 0)], "pass rate (left edge of bin)", "criteria"));
            }
            string Text(GradedSummary.CriterionCounts c) => texts is not null && texts.TryGetValue((c.RubricId, c.CriterionId), out var t) ? t : "";
            IReadOnlyList<string> Row(GradedSummary.CriterionCounts c) =>
                [c.RubricId, c.CriterionId, Text(c), F(c.PassRate), (c.Met + c.NotMet).ToString(CultureInfo.InvariantCulture),
                    c.CannotAssess.ToString(CultureInfo.InvariantCulture)];
            string[] columns = ["rubric", "criterion", "text", "pass rate", "decided", "cannot assess"];
            var flagged = decided.Where(c => c.PassRate >= Saturated || c.PassRate == 0).ToList();
            var saturated = decided.Count(c => c.PassRate >= Saturated);
            var never = decided.Count(c => c.PassRate == 0);
            var summary = new ReportTable("Criteria",
                ["criteria with a decided verdict", "saturated", "never met", "median pass rate", "CannotAssess verdicts"],
                [[I(decided.Count), I(saturated), I(never), F(Median([.. decided.Select(c => c.PassRate)])), I(graded.Criteria.Sum(c => c.CannotAssess))]]);
            var undecided = graded.Criteria.Count - decided.Count;
            var note = undecided > 0 ? $" {undecided} criteria had no decided verdict (only CannotAssess) and are left out." : "";
            sections.Add(new ReportSection("Per-criterion pass rates",
                $"Verdicts from {source}. A criterion every response meets (or none does) carries no signal among these responses: it cannot separate the " +
                    $"tail.{note}",
                [chart], [summary],
                [
                    new ReportTable($"Saturated or never-met criteria ({flagged.Count} of {decided.Count}){Cut(flagged.Count)}", columns,
                        [.. flagged.Take(MaxTableRows).Select(Row)]),
                    new ReportTable($"Every criterion{Cut(decided.Count)}", columns, [.. decided.Take(MaxTableRows).Select(Row)]),
                ]));
        }
        return sections;
    }

    private static double Median(IReadOnlyList<double> values)
    {
        var sorted = values.Order().ToArray();
        return sorted.Length % 2 == 1 ? sorted[sorted.Length / 2] : (sorted[sorted.Length / 2 - 1] + sorted[sorted.Length / 2]) / 2;
    }

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);

    internal static string F(double v) => double.IsNaN(v) ? "-" : v.ToString("0.000", CultureInfo.InvariantCulture);
}
