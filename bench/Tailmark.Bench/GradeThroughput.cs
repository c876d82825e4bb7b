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
/// efficiency (the server's ideal time ÷ measured time) and the process's CPU per verdict, all after WARMUP responses
/// that are not measured. Then it splits the CPU: SPLIT more responses graded by Tailmark and the same kind of calls
/// replayed through the OpenAI SDK alone (<see cref="CallReplay"/>), in alternating blocks; the difference is
/// Tailmark's own CPU per verdict.
/// </summary>
internal static class GradeThroughput
{
    private static readonly string[] GenericQualities = ["is clear", "is well organized", "is concise", "uses plain language", "is polite", "stays on topic",
        "gives concrete steps", "avoids jargon", "is accurate"];

    public static async Task<int> RunAsync(string[] args)
    {
        var responses = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 4096;
        var modes = (args.Length > 1 ? args[1] : "per-criterion,batched:5,all").Split(',');
        var capacity = args.Length > 2 ? args[2] : "slots=32,prefill_tps=100000,decode_tps=1500,prefix_cache=on";
        var warmup = args.Length > 3 ? int.Parse(args[3], CultureInfo.InvariantCulture) : 512;
        var split = args.Length > 4 ? int.Parse(args[4], CultureInfo.InvariantCulture) : 1024;
        var dialect = args.Length > 5 ? args[5] : "clean";
        var world = new SimWorld(7, 256);
        var rubrics = world.Tasks.ToDictionary(t => t.Id, Rubric20);
        var rows = Rows(world, rubrics, responses, "bench");
        // Warm-up responses are other texts for the same tasks: they bring the JIT to steady state (a training run's
        // grader lives for hours) without putting the measured responses into the server's prefix cache.
        var warm = Rows(world, rubrics, warmup, "warm");
        Console.WriteLine($"{responses} responses x 20 criteria = {responses * 20} verdicts per mode after {warmup} warm-up responses; capacity {capacity}; " +
            $"judge dialect {dialect}");
        Console.WriteLine("mode            calls   prompt tok  cached tok  cached%  wall s  ideal s  efficiency  CPU us/verdict");
        var splits = new List<string>();
        foreach (var mode in modes)
        {
            await using var server = await SimProcess.StartAsync(capacity, dialect);
            var options = new JudgeOptions { Mode = JudgeMode.Parse(mode) };
            var spec = new EndpointSpec("bench", EndpointKind.Sim, server.BaseUrl, "sim-judge", null,
                new EndpointLimits { Concurrency = 512, Timeout = TimeSpan.FromSeconds(300), MaxRetries = 3 }, PriceTable.Free);
            using var judge = EndpointClient.Create(spec);
            var grader = new ResponseGrader(new JudgeEngine([judge], null, options), new CheckRunner(),
                new RewardPipeline(ScoringConfigLoader.Preset("default")));
            // As many responses in flight as keep the server's slots busy: each per-criterion response is 20 calls.
            var inFlight = options.Mode.BatchSize == 1 ? 16 : 256;
            var cannot = 0;
            async Task GradeAll(List<Work> list) =>
                await Parallel.ForEachAsync(list, new ParallelOptions { MaxDegreeOfParallelism = inFlight }, async (w, ct) =>
                {
                    var g = await grader.GradeAsync(w.Rubric, JudgePrompts.Conversation(w.Rubric.Prompt), w.Row, ct);
                    Interlocked.Add(ref cannot, g.Row.Verdicts.Values.Count(v => v.Status == VerdictStatus.CannotAssess));
                });

            await GradeAll(warm);
            var before = await server.StatsAsync();
            var callsBefore = judge.UsageSoFar().Calls;
            cannot = 0;
            var cpu = Process.GetCurrentProcess().TotalProcessorTime;
            var clock = Stopwatch.StartNew();
            await GradeAll(rows);
            clock.Stop();
            var cpuUsed = Process.GetCurrentProcess().TotalProcessorTime - cpu;
            var after = await server.StatsAsync();
            var calls = judge.UsageSoFar().Calls - callsBefore;
            double Delta(string name) => after.GetProperty(name).GetDouble() - before.GetProperty(name).GetDouble();
            var prompt = Delta("prompt_tokens");
            var cached = Delta("cached_prompt_tokens");
            var ideal = Delta("ideal_seconds");
            var note = cannot > 0 ? $"  ({cannot} cannot_assess)" : "";
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{mode,-14} {calls,6} {prompt,12:#,0} {cached,11:#,0} {100.0 * cached / prompt,7:0.0}% {clock.Elapsed.TotalSeconds,7:0.0} {ideal,8:0.0} " +
                    $"{ideal / clock.Elapsed.TotalSeconds,11:0.00} {PerVerdict(cpuUsed, responses),15:0.0}{note}"));

            if (split > 0)
            {
                // Tailmark's own CPU: the same kind of work graded by Tailmark and replayed through the SDK alone, in
                // alternating blocks (the order flipped every block) so that the machine's drifting speed falls on both.
                using var replay = new CallReplay(server.BaseUrl, options);
                var callsPerResponse = CallReplay.Calls(rows.Take(1).Select(w => (w.Row, w.Rubric)), options.Mode).Count;
                var replayConcurrency = Math.Min(spec.Limits.Concurrency, inFlight * callsPerResponse);
                await replay.SendThroughSdkAsync(CallReplay.Calls(warm.Select(w => (w.Row, w.Rubric)), options.Mode), replayConcurrency);
                var graded = Rows(world, rubrics, split, "split-grade");
                var replayed = CallReplay.Calls(Rows(world, rubrics, split, "split-replay").Select(w => (w.Row, w.Rubric)), options.Mode);
                TimeSpan tailmark = default, sdk = default;
                const int Block = 128;
                for (var start = 0; start < split; start += Block)
                {
                    var n = Math.Min(Block, split - start);
                    async Task GradeBlock() => tailmark += await Cpu(() => GradeAll(graded.GetRange(start, n)));
                    async Task ReplayBlock() =>
                        sdk += await Cpu(() => replay.SendThroughSdkAsync(replayed.GetRange(start * callsPerResponse, n * callsPerResponse),
                            replayConcurrency));
                    if (start / Block % 2 == 0)
                    {
                        await GradeBlock();
                        await ReplayBlock();
                    }
                    else
                    {
                        await ReplayBlock();
                        await GradeBlock();
                    }
                }
                splits.Add(string.Create(CultureInfo.InvariantCulture,
                    $"{mode,-14} {PerVerdict(tailmark, split),9:0.0} {PerVerdict(sdk, split),9:0.0} {PerVerdict(tailmark - sdk, split),9:0.0}"));
            }
            if (mode == "per-criterion")
            {
                using var replay = new CallReplay(server.BaseUrl, options);
                var bare = CallReplay.Calls(warm.Select(w => (w.Row, w.Rubric)), options.Mode);
                var concurrency = inFlight * bare.Count / warm.Count; // as many calls in flight as the grading had
                await replay.SendAsBareHttpAsync(bare[..(bare.Count / 2)], concurrency);
                var cost = await Cpu(() => replay.SendAsBareHttpAsync(bare[(bare.Count / 2)..], concurrency));
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  per-criterion calls as bare HttpClient POSTs of the same JSON (no " +
                        $"SDK): {cost.TotalMilliseconds * 1000 / (bare.Count - bare.Count / 2):0.0} us CPU per call"));
            }
        }
        if (splits.Count > 0)
        {
            Console.WriteLine();
            Console.WriteLine($"CPU us per verdict over {split} responses each, in alternating blocks of 128: Tailmark grading / the same kind of calls " +
                $"through the OpenAI SDK alone / Tailmark's own (the difference)");
            Console.WriteLine("mode           Tailmark  SDK alone   own");
            foreach (var line in splits) Console.WriteLine(line);
        }
        return 0;
    }

    private static double PerVerdict(TimeSpan cpu, int responses) => cpu.TotalMilliseconds * 1000 / (responses * 20.0);

    private static async Task<TimeSpan> Cpu(Func<Task> work)
    {
        var start = Process.GetCurrentProcess().TotalProcessorTime;
        await work();
        return Process.GetCurrentProcess().TotalProcessorTime - start;
    }

    private sealed record Work(SimTask Task, ResponseRow Row, Rubric Rubric);

    /// <summary>COUNT responses, 16 per task, written by the nine simulated generators; SALT keeps sets apart.</summary>
    private static List<Work> Rows(SimWorld world, Dictionary<string, Rubric> rubrics, int count, string salt) =>
        [.. Enumerable.Range(0, count).Select(i =>
        {
            var task = world.Tasks[i % world.Tasks.Length];
            var model = SimGenerators.All[i % 9].Name;
            return new Work(task, new ResponseRow(task.Id, $"{salt}{i}", SimGenerators.Write(SimGenerators.Find(model)!, task, world.Seed, $"{salt}/{i}"),
                model, JsonMaps.Empty), rubrics[task.Id]);
        })];

    /// <summary>The task's 11 facet criteria and 9 general ones: 20 judged criteria.</summary>
    private static Rubric Rubric20(SimTask task) => new()
    {
        Id = task.Id,
        PromptId = task.Id,
        Prompt = PromptContent.FromText(task.Prompt),
        Criteria =
        [
            .. task.Facets.Select(f =>
                new Criterion { Id = f.Id, Text = (f.IsError ? "The response tells the user to " : "The response advises the user to ") + f.Phrase + ".",
                    Weight = f.IsError ? -2 : f.Value }),
            .. GenericQualities
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

        public static async Task<SimProcess> StartAsync(string capacity, string dialect)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (var a in new[] { Path.Combine(AppContext.BaseDirectory, "Tailmark.Cli.dll"), "sim", "serve", "--port", "0", "--seed", "7", "--tasks",
                "256", "--capacity", capacity, "--dialect", dialect }) start.ArgumentList.Add(a);
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
