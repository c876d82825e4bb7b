using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tailmark.Checks;
using Tailmark.Io;
using Tailmark.Judging;
using Tailmark.Llm;
using Tailmark.Rubrics;
using Tailmark.Scoring;
using Tailmark.Sim;

namespace Tailmark.Bench;

/// <summary>
/// Grades RESPONSES responses × 20 criteria against a simulated server (a separate process, at a stated
/// capacity) in each judge mode, and reports judge calls, prompt tokens, cached-prefix tokens, wall time,
/// efficiency (the server's ideal time ÷ measured time) and Tailmark's own CPU per verdict. Mode <c>baseline</c>
/// sends the per-criterion prompts without Tailmark (<see cref="CallBaseline"/>), to split that CPU into the call
/// stack's share and Tailmark's own.
/// </summary>
internal static class GradeThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var responses = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 4096;
        var modes = (args.Length > 1 ? args[1] : "per-criterion,batched:5,all").Split(',');
        var capacity = args.Length > 2 ? args[2] : "slots=32,prefill_tps=100000,decode_tps=1500,prefix_cache=on";
        var world = new SimWorld(7, 256);
        var rows = Enumerable.Range(0, responses).Select(i =>
        {
            var task = world.Tasks[i % world.Tasks.Length];
            var model = SimGenerators.All[i % 9].Name;
            return (Task: task, Row: new ResponseRow(task.Id, $"r{i}", SimGenerators.Write(SimGenerators.Find(model)!, task, world.Seed, $"bench/{i}"), model, JsonMaps.Empty));
        }).ToList();
        var rubrics = world.Tasks.ToDictionary(t => t.Id, Rubric20);
        Console.WriteLine($"{responses} responses x 20 criteria = {responses * 20} verdicts per mode; capacity {capacity}");
        Console.WriteLine("mode            calls   prompt tok  cached tok  cached%  wall s  ideal s  efficiency  CPU us/verdict");
        foreach (var mode in modes)
        {
            await using var server = await SimProcess.StartAsync(capacity);
            if (mode == "baseline")
            {
                // The per-criterion calls without Tailmark: what the SDK and HttpClient cost on their own.
                var (sdk, bare) = await CallBaseline.MeasureAsync(server.BaseUrl, [.. rows.Select(r => (r.Row, rubrics[r.Task.Id]))], 64);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"baseline: the same per-criterion calls through the OpenAI SDK alone {sdk:0.0} us CPU per call; as bare HttpClient POSTs {bare:0.0} us"));
                continue;
            }
            var spec = new EndpointSpec("bench", EndpointKind.Sim, server.BaseUrl, "sim-judge", null,
                new EndpointLimits { Concurrency = 512, Timeout = TimeSpan.FromSeconds(300), MaxRetries = 3 }, PriceTable.Free);
            using var judge = new ResilientChatClient(new OpenAiChatClient(spec), spec);
            var grader = new ResponseGrader(new JudgeEngine([judge], null, new JudgeOptions { Mode = JudgeMode.Parse(mode) }), new CheckRunner(), new RewardPipeline(ScoringConfigLoader.Preset("default")));
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            var cannot = 0;
            await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = mode == "per-criterion" ? 64 : 256 }, async (r, ct) =>
            {
                var g = await grader.GradeAsync(rubrics[r.Task.Id], r.Task.Prompt, r.Row, ct);
                Interlocked.Add(ref cannot, g.Row.Verdicts.Values.Count(v => v.Status == VerdictStatus.CannotAssess));
            });
            clock.Stop();
            var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            var stats = await server.StatsAsync();
            var usage = judge.Meter.Snapshot();
            var prompt = stats.GetProperty("prompt_tokens").GetInt64();
            var cached = stats.GetProperty("cached_prompt_tokens").GetInt64();
            var ideal = stats.GetProperty("ideal_seconds").GetDouble();
            var note = cannot > 0 ? $"  ({cannot} cannot_assess)" : "";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{mode,-14} {usage.Calls,6} {prompt,12:#,0} {cached,11:#,0} {100.0 * cached / prompt,7:0.0}% {clock.Elapsed.TotalSeconds,7:0.0} {ideal,8:0.0} {ideal / clock.Elapsed.TotalSeconds,11:0.00} {cpuUsed.TotalMilliseconds * 1000 / (responses * 20.0),15:0.0}{note}"));
        }
        return 0;
    }

    /// <summary>The task's 11 facet criteria and 9 general ones: 20 judged criteria.</summary>
    private static Rubric Rubric20(SimTask task) => new()
    {
        Id = task.Id,
        PromptId = task.Id,
        Prompt = PromptContent.FromText(task.Prompt),
        Criteria =
        [
            .. task.Facets.Select(f => new Criterion { Id = f.Id, Text = (f.IsError ? "The response tells the user to " : "The response advises the user to ") + f.Phrase + ".", Weight = f.IsError ? -2 : f.Value }),
            .. new[] { "is clear", "is well organized", "is concise", "uses plain language", "is polite", "stays on topic", "gives concrete steps", "avoids jargon", "is accurate" }
                .Select((t, i) => new Criterion { Id = $"g{i + 1}", Text = $"The response {t}.", Weight = 1 }),
        ],
    };

    /// <summary>`tailmark sim serve` in a child process on a free port.</summary>
    private sealed class SimProcess : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly HttpClient _http = new();

        private SimProcess(Process process, Uri baseUrl)
        {
            _process = process;
            BaseUrl = baseUrl;
        }

        public Uri BaseUrl { get; }

        public static async Task<SimProcess> StartAsync(string capacity)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "Tailmark.Cli.dll"), "sim", "serve", "--port", "0", "--seed", "7", "--tasks", "256", "--capacity", capacity }) start.ArgumentList.Add(a);
            var process = Process.Start(start)!;
            var line = await process.StandardOutput.ReadLineAsync() ?? "";
            var url = Regex.Match(line, @"http://127\.0\.0\.1:\d+/v1").Value;
            if (url.Length == 0) throw new InvalidOperationException($"the simulated server did not start: {line}");
            return new SimProcess(process, new Uri(url));
        }

        public async Task<JsonElement> StatsAsync() =>
            JsonDocument.Parse(await _http.GetStringAsync(new Uri(BaseUrl + "/sim/stats"))).RootElement.Clone();

        public async ValueTask DisposeAsync()
        {
            _process.Kill(entireProcessTree: true);
            await _process.WaitForExitAsync();
            _process.Dispose();
            _http.Dispose();
        }
    }
}
