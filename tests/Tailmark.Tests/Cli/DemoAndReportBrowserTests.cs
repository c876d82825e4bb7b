using System.Text.Json;
using Microsoft.Playwright;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Cli;

/// <summary>
/// The demo end to end (a real CLI process), and its HTML report rendered in headless Chromium: every chart drew, the
/// console shows no error, the page asks nothing of the network, and the charted numbers are the run's numbers.
/// </summary>
[Trait("Tier", "Integration")]
public sealed class DemoAndReportBrowserTests : IClassFixture<HeadlessChromium>
{
    private readonly HeadlessChromium _chromium;

    public DemoAndReportBrowserTests(HeadlessChromium chromium) => _chromium = chromium;

    private const string ChartsScript = """
        () => Array.from(document.querySelectorAll('canvas')).map(c => {
          const chart = Chart.getChart(c);
          const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
          let ink = 0;
          for (let i = 3; i < d.length; i += 4) if (d[i] > 0) ink++;
          let elements = 0;
          if (chart) chart.data.datasets.forEach((_, i) => elements += chart.getDatasetMeta(i).data.length);
          return { id: c.id, chart: !!chart, ink: ink, elements: elements };
        })
        """;

    public sealed record CanvasState(string Id, bool Chart, int Ink, int Elements);

    [Fact]
    public async Task Demo_WritesEveryFile_AndItsReportDrawsEveryChartInChromium()
    {
        using var dir = new TempDir();
        var result = CliProcess.Run("demo", "--tasks", "4", "--out", dir.Path);
        Assert.True(result.ExitCode == 0, result.All);
        foreach (var file in new[] { "prompts.jsonl", "pool.jsonl", "rubrics.jsonl", "run/rubrics.jsonl", "graded.jsonl", "accuracy.jsonl", "bon.jsonl",
            "report.html" })
        {
            Assert.True(File.Exists(Path.Combine(dir.Path, file)), file);
        }
        Assert.Contains("served rewards through a real reward server", result.Stdout);
        Assert.True(result.Stderr.Length == 0, $"the demo wrote to stderr: {result.Stderr}"); // no stray server log line at the end
        // The demo's judge and proposer answer like served models (the mixed dialect), and every verdict is read.
        Assert.Contains("answer like served models (dialect 'mixed')", result.Stdout);
        Assert.Matches(@"read [1-9][0-9]* verdicts from [1-9][0-9]* judge answers without guessing; 0 cannot_assess", result.Stdout);
        Assert.Contains("4 rounds, great & diverse", result.Stdout);
        Assert.Contains("report.html", result.Stdout);
        Assert.Equal(0, CliProcess.Run("validate", Path.Combine(dir.Path, "run", "rubrics.jsonl")).ExitCode);

        var (page, log) = await _chromium.OpenAsync(Path.Combine(dir.Path, "report.html"));
        var canvases = await AssertEveryChartDrew(page, log);
        // scores, pass rates, accuracy high/low/all, best-of-n, refinement, theory ×2
        Assert.Equal(9, canvases.Length);
        Assert.Contains(canvases, c => c.Id == "best-of-n");
        Assert.Contains(canvases, c => c.Id == "refinement-diffs");

        // The charted numbers are the run's: responses per generator in the histogram, gold of best-of-n.
        var island = JsonDocument.Parse(await page.Locator("#tailmark-data").TextContentAsync() ?? "").RootElement;
        JsonElement Config(string id) => island.GetProperty("charts").EnumerateArray().First(c => c.GetProperty("id").GetString() == id).GetProperty("config");
        var graded = File.ReadLines(Path.Combine(dir.Path, "graded.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var expected = graded.Where(g => g.GetProperty("reward").ValueKind == JsonValueKind.Number)
            .GroupBy(g => g.GetProperty("generator").GetString()!).ToDictionary(g => g.Key, g => g.Count());
        var charted = Config("scores-histogram").GetProperty("data").GetProperty("datasets").EnumerateArray()
            .ToDictionary(d => d.GetProperty("label").GetString()!, d => d.GetProperty("data").EnumerateArray().Sum(x => x.GetInt32()));
        Assert.Equal(expected.OrderBy(kv => kv.Key), charted.OrderBy(kv => kv.Key));
        Assert.Equal(new[] { "sim-base", "sim-good", "sim-great" }, charted.Keys.Order());
        var refinedGold = File.ReadLines(Path.Combine(dir.Path, "bon.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .Where(r => r.GetProperty("rubrics").GetString() == "refined").Select(r => r.GetProperty("gold").GetDouble()).ToList();
        var chartedGold = Config("best-of-n").GetProperty("data").GetProperty("datasets").EnumerateArray()
            .First(d => d.GetProperty("label").GetString() == "refined: gold").GetProperty("data").EnumerateArray().Select(p =>
                p.GetProperty("y").GetDouble()).ToList();
        Assert.Equal(8, refinedGold.Count);
        Assert.Equal(refinedGold, chartedGold);
    }

    [Fact]
    public async Task TheoryCurves_AsHtml_DrawBothFamiliesInChromium()
    {
        using var dir = new TempDir();
        var result = CliProcess.Run("theory", "--curves", "--out", dir.File("curves.html"));
        Assert.True(result.ExitCode == 0, result.All);
        var (page, log) = await _chromium.OpenAsync(dir.File("curves.html"));
        var canvases = await AssertEveryChartDrew(page, log);
        Assert.Equal(new[] { "theory-bon", "theory-kl" }, canvases.Select(c => c.Id).Order());
        // 7 maps × 61 β values, 7 maps × 11 values of n
        Assert.Equal(7 * 61, canvases.Single(c => c.Id == "theory-kl").Elements);
        Assert.Equal(7 * 11, canvases.Single(c => c.Id == "theory-bon").Elements);
    }

    private static async Task<CanvasState[]> AssertEveryChartDrew(IPage page, HeadlessChromium.PageLog log)
    {
        var status = await page.EvaluateAsync<JsonElement>("() => window.tailmarkReport");
        Assert.True(status.GetProperty("done").GetBoolean());
        var canvases = (await page.EvaluateAsync<JsonElement>(ChartsScript)).EnumerateArray()
            .Select(c => new CanvasState(c.GetProperty("id").GetString()!, c.GetProperty("chart").GetBoolean(), c.GetProperty("ink").GetInt32(),
                c.GetProperty("elements").GetInt32()))
            .ToArray();
        Assert.NotEmpty(canvases);
        Assert.Equal(canvases.Length, status.GetProperty("expected").GetInt32());
        Assert.Equal(canvases.Length, status.GetProperty("drawn").GetInt32());
        foreach (var c in canvases)
        {
            Assert.True(c.Chart, $"{c.Id}: no Chart.js instance");
            Assert.True(c.Elements > 0, $"{c.Id}: no data elements");
            Assert.True(c.Ink > 500, $"{c.Id}: the canvas is blank");
        }
        Assert.Empty(log.Errors);
        Assert.Empty(log.Requests);
        return canvases;
    }
}
