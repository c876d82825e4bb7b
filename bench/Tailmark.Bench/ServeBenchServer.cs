using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tailmark.Rubrics;
using Tailmark.Sim;

namespace Tailmark.Bench;

/// <summary>
/// A `tailmark serve` child process over 64 simulated prompts × 11 criteria (judge `sim`, all-at-once), with every one
/// of its 1,024 distinct items graded once so the verdict cache is warm. Shared by the serve benchmarks.
/// </summary>
internal sealed partial class ServeBenchServer : IAsyncDisposable
{
    private readonly Process _process;
    private readonly string _work;

    private ServeBenchServer(Process process, string work, Uri url, object[] items)
    {
        _process = process;
        _work = work;
        Url = url;
        Items = items;
    }

    public Uri Url { get; }
    public object[] Items { get; }
    public int ProcessId => _process.Id;

    public static async Task<ServeBenchServer> StartAsync(params string[] extraArgs)
    {
        var work = Directory.CreateTempSubdirectory("tailmark-serve-bench").FullName;
        var world = new SimWorld(7, 64);
        var rubrics = Path.Combine(work, "rubrics.jsonl");
        await File.WriteAllLinesAsync(rubrics, world.Tasks.Select(t => RubricJsonWriter.ToJson(new Rubric
        {
            Id = t.Id, PromptId = t.Id, Prompt = PromptContent.FromText(t.Prompt),
            Criteria = [.. t.Facets.Select(f =>
                new Criterion { Id = f.Id, Text = (f.IsError ? "The response tells the user to " : "The response advises the user to ") + f.Phrase + ".",
                    Weight = f.IsError ? -2 : f.Value })],
        })));
        object[] items = [.. world.Tasks.SelectMany(t =>
            Enumerable.Range(0, 16).Select(i =>
                (object)new { prompt_id = t.Id, response = SimGenerators.Write(SimGenerators.All[i % 9], t, 7, $"serve/{i}") }))];
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "Tailmark.Cli.dll"), "serve", "--rubrics", rubrics, "--judge", "sim", "--sim-tasks",
            "64", "--port", "0",
                     "--mode", "all", "--cache", Path.Combine(work,
                         "cache.sqlite"), "--max-concurrent", "256", "--queue-limit", "4096" }.Concat(extraArgs)) start.ArgumentList.Add(a);
        var process = Process.Start(start)!;
        var line = await process.StandardOutput.ReadLineAsync() ?? "";
        _ = process.StandardOutput.ReadToEndAsync();
        _ = process.StandardError.ReadToEndAsync();
        var url = new Uri(UrlPattern().Match(line).Value + "v1/reward");
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        foreach (var chunk in items.Chunk(64)) (await http.PostAsJsonAsync(url, new { items = chunk })).EnsureSuccessStatusCode();
        return new ServeBenchServer(process, work, url, items);
    }

    /// <summary>Request bodies of <paramref name="batch"/> random items each, as JSON lines (seeded).</summary>
    public string[] Bodies(int batch, int count, int seed)
    {
        var rng = new Random(seed);
        return [.. Enumerable.Range(0, count).Select(_ =>
            JsonSerializer.Serialize(new { items = Enumerable.Range(0, batch).Select(_ => Items[rng.Next(Items.Length)]).ToArray() }))];
    }

    /// <summary>The server's resident memory now and at its peak (kB), from /proc.</summary>
    public (long Current, long Peak) Memory()
    {
        var status = File.ReadAllText($"/proc/{_process.Id}/status");
        return (long.Parse(RssPattern().Match(status).Groups[1].Value), long.Parse(HwmPattern().Match(status).Groups[1].Value));
    }

    public async ValueTask DisposeAsync()
    {
        _process.Kill(entireProcessTree: true);
        await _process.WaitForExitAsync();
        _process.Dispose();
        Directory.Delete(_work, recursive: true);
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/")]
    private static partial Regex UrlPattern();

    [GeneratedRegex(@"VmRSS:\s*(\d+) kB")]
    private static partial Regex RssPattern();

    [GeneratedRegex(@"VmHWM:\s*(\d+) kB")]
    private static partial Regex HwmPattern();
}
