using System.Text.Json;
using System.Text.Json.Nodes;
using Tailmark.Building;
using Tailmark.Evaluation;
using Tailmark.Evaluation.Report;
using Tailmark.Io;
using Tailmark.Tests.Support;
using static Tailmark.Tests.Support.RubricBuilder;

namespace Tailmark.Tests.Evaluation;

public sealed class ReportTests
{
    private const string Graded = """
        {"prompt_id":"p1","response_id":"a1","rubric_id":"r1","generator":"A","verdicts":{"c1":{"status":"met"},"c2":{"status":"not_met"}},"reward":0}
        {"prompt_id":"p1","response_id":"a2","rubric_id":"r1","generator":"A","verdicts":{"c1":{"status":"met"},"c2":{"status":"met"}},"reward":1}

        {"prompt_id":"p1","response_id":"b1","rubric_id":"r1","generator":"B","verdicts":{"c1":{"status":"not_met"},"c2":{"status":"cannot_assess"}},"reward":0.5}
        {"prompt_id":"p1","response_id":"b2","rubric_id":"r1","generator":"B","verdicts":{"c1":{"status":"met"},"c2":{"status":"not_met"}},"reward":null}
        """;

    [Fact]
    public async Task GradedSummary_CountsRewardsAndPassRates_ByHand()
    {
        using var dir = new TempDir();
        var summary = await GradedSummary.ReadAsync(dir.Write("graded.jsonl", Graded));
        Assert.Equal(1, summary.UndefinedRewards);
        Assert.Equal([0.0, 1.0], summary.RewardsByGenerator["A"]);
        Assert.Equal([0.5], summary.RewardsByGenerator["B"]);
        var c1 = summary.Criteria.Single(c => c.CriterionId == "c1");
        var c2 = summary.Criteria.Single(c => c.CriterionId == "c2");
        Assert.Equal((3, 1, 0, 0.75), (c1.Met, c1.NotMet, c1.CannotAssess, c1.PassRate)); // met in a1, a2, b2
        Assert.Equal((1, 2, 1), (c2.Met, c2.NotMet, c2.CannotAssess));
        Assert.Equal(1.0 / 3, c2.PassRate, 12); // CannotAssess is not a decided verdict

        // 20 bins over [0, 1]: 0 in the first, 0.5 opens bin 10, 1 (the top edge) in the last.
        var counts = GradedSummary.Histogram([0, 0.5, 1, 0.049, 0.05], 0, 1, 20);
        Assert.Equal(2, counts[0]);
        Assert.Equal(1, counts[1]);
        Assert.Equal(1, counts[10]);
        Assert.Equal(1, counts[19]);
        Assert.Equal(5, counts.Sum());
    }

    [Fact]
    public async Task GradedSummary_BadRows_NameFileLineAndField()
    {
        using var dir = new TempDir();
        var path = dir.Write("graded.jsonl", """
            {"prompt_id":"p1","rubric_id":"r1","verdicts":{"c1":{"status":"met"}},"reward":1}
            {"prompt_id":"p1","rubric_id":"r1","verdicts":{"c1":{"status":"maybe"}},"reward":1}
            {"prompt_id":"p1","rubric_id":"r1","verdicts":{}}
            {"prompt_id":
            """);
        var ex = await Assert.ThrowsAsync<InputException>(() => GradedSummary.ReadAsync(path));
        Assert.Collection(ex.Issues,
            i => Assert.Equal((2, "verdicts.c1.status"), (i.Line!.Value, i.Field)),
            i => Assert.Equal((3, "reward"), (i.Line!.Value, i.Field)),
            i => Assert.Equal((4, (string?)null), (i.Line!.Value, i.Field)));
        Assert.All(ex.Issues, i => Assert.Equal(path, i.File));
    }

    [Fact]
    public async Task AccuracyRows_RoundTrip_ThroughTheWriterAndTheReportReader()
    {
        using var dir = new TempDir();
        var path = dir.File("accuracy.jsonl");
        AccuracyWithInterval[] regions = [new("high", 40, 3, 0.625, 0.475, 0.775), new("low", 0, 0, double.NaN, double.NaN, double.NaN)];
        await JsonRowSink.WriteAsync([regions], path, (w, r) => AccuracyRowWriter.Write(w, "4 rounds", r, 9.5));
        var rows = await AccuracySection.ReadAsync(path);
        var row = Assert.Single(rows);
        Assert.Equal("4 rounds", row.Rubrics);
        var high = row.Regions.Single(r => r.Region == "high");
        Assert.Equal(regions[0], high);
        var low = row.Regions.Single(r => r.Region == "low");
        Assert.True(double.IsNaN(low.Accuracy));
        Assert.Equal(0, low.Pairs);
    }

    [Fact]
    public async Task RunReport_SaysWhatIsMissing()
    {
        using var dir = new TempDir();
        var none = await Assert.ThrowsAsync<InputException>(() => RunReport.BuildAsync(dir.Path));
        Assert.Contains("nothing to report", none.Message);
        var missing = await Assert.ThrowsAsync<InputException>(() => RunReport.BuildAsync(dir.File("nope")));
        Assert.Contains("run directory not found", missing.Message);
    }

    [Fact]
    public async Task RunReport_FromGradedAndRounds_BuildsTheirSectionsAndTheTheory()
    {
        using var dir = new TempDir();
        dir.Write("graded.jsonl", Graded);
        // Rounds as refine saves them.
        var rubric = R(C("x", 1), C("y", 1), C("w", 3)) with { Id = "p1", PromptId = "p1" };
        var store = new RoundStore(dir.Path);
        var scores = new Dictionary<string, double?> { ["r1"] = 0.5, ["r2"] = null };
        store.Save(new RoundRecord(1, scores, "r1", "r2", rubric, new RubricDiff(["x", "y"], ["z"], [("w", 1, 3)]), false, null));
        store.Save(new RoundRecord(2, scores, "r1", "r2", rubric, new RubricDiff([], [], []), true, "malformed proposal"));
        var report = await RunReport.BuildAsync(dir.Path);
        Assert.Equal(["graded.jsonl", "rounds/"], report.Sources);
        Assert.Equal(["Score distributions", "Per-criterion pass rates", "Rubric refinement", "Theory: what ranking errors in the tail cost"],
            report.Sections.Select(s => s.Title));
        var refinement = report.Sections[2];
        var datasets = refinement.Charts[0].Config["data"]!["datasets"]!.AsArray();
        int[] Series(string label) => [.. datasets.Single(d => (string)d!["label"]! == label)!["data"]!.AsArray().Select(x => (int)x!)];
        Assert.Equal([2, 0], Series("added"));
        Assert.Equal([1, 0], Series("removed"));
        Assert.Equal([1, 0], Series("re-weighted"));
        Assert.Contains(refinement.Details!.Single().Rows, r => r[1] == "kept previous" && r[2] == "malformed proposal");
        Assert.Contains(refinement.Details!.Single().Rows, r => r[1] == "re-weighted" && r[2] == "w (1 → 3)");
    }

    [Fact]
    public void Html_EscapesUntrustedText_AndNeverClosesItsScriptsEarly()
    {
        const string hostile = "</script><script>alert(1)</script><b>";
        var chart = new ReportChart("c1", hostile, ChartSpec.Bars([hostile], [ChartSpec.BarDataset(hostile, [(JsonNode)1], 0)], "x", "y"));
        var html = HtmlReportWriter.Render(hostile, hostile, [new ReportSection(hostile, hostile, [chart], [new ReportTable(hostile, ["a"], [[hostile]])])]);
        Assert.DoesNotContain("<script>alert", html);
        Assert.DoesNotContain("<b>", html);
        Assert.Equal(3, html.Split("</script>").Length - 1); // the JSON island, Chart.js, our renderer
        var island = html[(html.IndexOf("id=\"tailmark-data\">", StringComparison.Ordinal) + 19)..];
        island = island[..island.IndexOf("</script>", StringComparison.Ordinal)];
        var config = JsonDocument.Parse(island).RootElement.GetProperty("charts")[0].GetProperty("config");
        Assert.Equal(hostile, config.GetProperty("data").GetProperty("labels")[0].GetString());
    }

    [Fact]
    public void TheoryCurves_MatchTheTheoremAtEachPoint()
    {
        var points = TheoryCurves.Compute(["top:0.25"]);
        Assert.Equal(61 + 11, points.Count);
        var bon4 = points.Single(p => p.Family == TheoryCurves.BestOfN && p.Parameter == 4);
        Assert.Equal(Math.Log(4) - 3.0 / 4, bon4.Kl, 12); // KL of best-of-n is log n − (n−1)/n
        // With a correct reward, best-of-n beats one base draw with probability n / (n + 1).
        var correct16 = TheoryCurves.Compute(["correct"]).Single(p => p.Family == TheoryCurves.BestOfN && p.Parameter == 16);
        Assert.Equal(16.0 / 17, correct16.WinRate, 6);
        Assert.True(bon4.WinRate < 4.0 / 5, "misranking the top quarter must cost best-of-4 some win rate");
    }
}

public sealed class ReportScaleTests
{
    [Fact]
    public async Task ManyCriteria_ChartTheDistribution_AndTablesAreCapped()
    {
        using var dir = new TempDir();
        // One response judged on 2,500 criteria: the even ones met, the odd ones not.
        var verdicts = string.Join(",", Enumerable.Range(0, 2500).Select(i => $"\"c{i}\":{{\"status\":\"{(i % 2 == 0 ? "met" : "not_met")}\"}}"));
        var path = dir.Write("graded.jsonl", $"{{\"prompt_id\":\"p\",\"rubric_id\":\"r\",\"verdicts\":{{{verdicts}}},\"reward\":0.5}}\n");
        var sections = ScoreSections.Build(await GradedSummary.ReadAsync(path), "graded.jsonl");
        var passRates = sections.Single(s => s.Title == "Per-criterion pass rates");
        var data = passRates.Charts.Single().Config["data"]!;
        Assert.Equal(ScoreSections.Bins, data["labels"]!.AsArray().Count);
        var counts = data["datasets"]![0]!["data"]!.AsArray().Select(x => (int)x!).ToArray();
        Assert.Equal(1250, counts[0]); // never met
        Assert.Equal(1250, counts[^1]); // always met
        Assert.Equal(2500, counts.Sum());
        Assert.All(passRates.Details!, t => Assert.Equal(ScoreSections.MaxTableRows, t.Rows.Count));
        Assert.All(passRates.Details!, t => Assert.Contains("the first 2000 shown", t.Caption));
    }
}
