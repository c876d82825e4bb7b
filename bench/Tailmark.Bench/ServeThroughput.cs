using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tailmark.Rubrics;
using Tailmark.Sim;

namespace Tailmark.Bench;

/// <summary>
/// The reward server under load with a warm verdict cache (no judge latency): `tailmark serve` runs as a child
/// process; every distinct item is graded once to warm the cache; then CLIENTS concurrent clients send batches of
/// 1, 16 and 256 items for SECONDS each. Reports rewards/s, requests/s, p50/p99 latency and the server's peak RSS.
/// </summary>
internal static class ServeThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var clients = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 32;
        var work = Directory.CreateTempSubdirectory("tailmark-serve-bench").FullName;
        var world = new SimWorld(7, 64);
        var rubrics = Path.Combine(work, "rubrics.jsonl");
        await File.WriteAllLinesAsync(rubrics, world.Tasks.Select(t => RubricJsonWriter.ToJson(new Rubric
        {
            Id = t.Id, PromptId = t.Id, Prompt = PromptContent.FromText(t.Prompt),
            Criteria = [.. t.Facets.Select(f => new Criterion { Id = f.Id, Text = (f.IsError ? "The response tells the user to " : "The response advises the user to ") + f.Phrase + ".", Weight = f.IsError ? -2 : f.Value })],
        })));
        var items = world.Tasks.SelectMany(t => Enumerable.Range(0, 16).Select(i => new { prompt_id = t.Id, response = SimGenerators.Write(SimGenerators.All[i % 9], t, 7, $"serve/{i}") })).ToArray();

        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "Tailmark.Cli.dll"), "serve", "--rubrics", rubrics, "--judge", "sim", "--sim-tasks", "64", "--port", "0",
                     "--mode", "all", "--cache", Path.Combine(work, "cache.sqlite"), "--max-concurrent", "256", "--queue-limit", "4096" }) start.ArgumentList.Add(a);
        using var server = Process.Start(start)!;
        try
        {
            var line = await server.StandardOutput.ReadLineAsync() ?? "";
            var url = new Uri(Regex.Match(line, @"http://127\.0\.0\.1:\d+/").Value + "v1/reward");
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
            foreach (var chunk in items.Chunk(64)) (await http.PostAsJsonAsync(url, new { items = chunk })).EnsureSuccessStatusCode(); // warm the cache
            Console.WriteLine($"warm cache: {items.Length} distinct items over {world.Tasks.Length} prompts x 11 criteria; {clients} clients, {seconds} s per batch size");
            Console.WriteLine("batch  requests/s  rewards/s   p50 ms   p99 ms  errors");
            foreach (var batch in new[] { 1, 16, 256 })
            {
                var latencies = new List<double>();
                var errors = 0;
                var clock = Stopwatch.StartNew();
                await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
                {
                    var rng = new Random(c);
                    var mine = new List<double>();
                    while (clock.Elapsed.TotalSeconds < seconds)
                    {
                        var body = new { items = Enumerable.Range(0, batch).Select(_ => items[rng.Next(items.Length)]).ToArray() };
                        var t = Stopwatch.GetTimestamp();
                        using var response = await http.PostAsJsonAsync(url, body);
                        await response.Content.ReadAsByteArrayAsync();
                        if (!response.IsSuccessStatusCode) Interlocked.Increment(ref errors);
                        mine.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                    }
                    lock (latencies) latencies.AddRange(mine);
                }));
                var elapsed = clock.Elapsed.TotalSeconds;
                latencies.Sort();
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{batch,5} {latencies.Count / elapsed,11:0} {latencies.Count * batch / elapsed,10:0} {latencies[latencies.Count / 2],8:0.0} {latencies[(int)(latencies.Count * 0.99)],8:0.0} {errors,7}"));
            }
            var status = await File.ReadAllTextAsync($"/proc/{server.Id}/status");
            Console.WriteLine($"server peak resident memory: {Regex.Match(status, @"VmHWM:\s*(\d+ kB)").Groups[1].Value}");
        }
        finally
        {
            server.Kill(entireProcessTree: true);
            await server.WaitForExitAsync();
            Directory.Delete(work, recursive: true);
        }
        return 0;
    }
}
