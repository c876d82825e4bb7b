using System.Diagnostics;
using System.Text;
using System.Text.RegularExpressions;
using Tailmark.Sim.Server;
using Tailmark.Sim;
using Tailmark.Storage;
using Tailmark.Tests.Support;
using Xunit.Abstractions;

namespace Tailmark.Tests.Reliability;

/// <summary>
/// Every file reader of the CLI on seeded mutations of valid files (tests/data/fuzz), through the real command tree:
/// no internal error (exit 70), no hang, every error located in the file it names, and an output file that a failed
/// command leaves as it was. The figures go to docs/reliability.md; <c>TAILMARK_FUZZ_SCALE</c> multiplies the cases and
/// <c>TAILMARK_FUZZ_SEED</c> picks another seed for a longer hunt; <c>TAILMARK_FUZZ_TARGET</c> runs only the readers
/// whose name contains it.
/// </summary>
[Trait("Tier", "Integration")]
[Collection(nameof(InProcessCliCollection))]
public sealed partial class FileReaderFuzzTests(ITestOutputHelper output)
{
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(30);
    private const string Sentinel = "yesterday's output\n";

    /// <summary>A case: its folder, the mutated file, the seed folder and the simulated server's base URL.</summary>
    public sealed record FuzzCase(string Dir, string Input, string Seeds, string Sim)
    {
        public string Seed(string name) => Path.Combine(Seeds, name);

        public string In(params string[] parts) => Path.Combine([Dir, .. parts]);

        public string Judge => $"{Sim}#{SimModels.Judge}";

        public string Proposer => $"{Sim}#{SimModels.Proposer}";
    }

    /// <summary>
    /// One reader: the seed file and its shape, where the mutated file goes (relative to the case folder), how many
    /// cases it gets, the command that reads it, and the output that command writes (which a failure must not touch).
    /// </summary>
    public sealed record Target(string Name, string Seed, SeedShape Shape, string File, int Cases, Func<FuzzCase, string[]> Args, string? Output = "out.jsonl")
    {
        /// <summary>A mutated file may leave the command line naming what the file no longer has (an endpoint's name): exit 2.</summary>
        public bool UsageErrorPossible { get; init; }
    }

    private static IEnumerable<Target> Targets()
    {
        // Readers that need no model: many cases each.
        yield return new("rubrics jsonl", "rubrics.jsonl", SeedShape.Jsonl, "rubrics.jsonl", 300, c =>
            ["convert", c.Input, "--to", "yaml", "--out", c.In("out.yaml")], "out.yaml");
        yield return new("rubrics json", "rubrics.json", SeedShape.Json, "rubrics.json", 150, c => ["validate", c.Input], null);
        yield return new("rubrics yaml", "rubrics.yaml", SeedShape.Yaml, "rubrics.yaml", 300, c => ["convert", c.Input, "--out", c.In("out.jsonl")]);
        yield return new("rubrics healthbench", "healthbench.jsonl", SeedShape.Jsonl, "hb.jsonl", 120, c =>
            ["convert", c.Input, "--from", "healthbench", "--to", "healthbench", "--out", c.In("out.jsonl")]);
        yield return new("rubrics ctt", "ctt.jsonl", SeedShape.Jsonl, "ctt.jsonl", 100, c =>
            ["convert", c.Input, "--from", "ctt", "--to", "rar", "--out", c.In("out.jsonl")]);
        yield return new("rubrics rar", "rar.jsonl", SeedShape.Jsonl, "rar.jsonl", 100, c =>
            ["convert", c.Input, "--from", "rar", "--to", "ctt", "--out", c.In("out.jsonl")]);
        yield return new("rubrics plain txt", "plain.txt", SeedShape.Text, "plain.txt", 60, c =>
            ["convert", c.Input, "--to", "plain", "--out", c.In("out.txt")], "out.txt");
        yield return new("rubrics plain jsonl", "plain.jsonl", SeedShape.Jsonl, "plain.jsonl", 60, c => ["stats", "--format", "plain", c.Input], null);
        yield return new("verdicts", "verdicts.jsonl", SeedShape.Jsonl, "verdicts.jsonl", 300, c =>
            ["score", "--rubrics", c.Seed("rubrics.jsonl"), "--verdicts", c.Input, "--out", c.In("out.jsonl")]);
        yield return new("score rubrics", "rubrics.jsonl", SeedShape.Jsonl, "rubrics.jsonl", 120, c =>
            ["score", "--rubrics", c.Input, "--verdicts", c.Seed("verdicts.jsonl"), "--out", c.In("out.jsonl")]);
        yield return new("responses", "responses.jsonl", SeedShape.Jsonl, "responses.jsonl", 150, c =>
            ["score", "--rubrics", c.Seed("rubrics.jsonl"), "--verdicts", c.Seed("verdicts.jsonl"), "--responses", c.Input, "--out", c.In("out.jsonl")]);
        yield return new("scoring yaml", "scoring.yaml", SeedShape.Yaml, "scoring.yaml", 200, c =>
            ["score", "--rubrics", c.Seed("rubrics.jsonl"), "--verdicts", c.Seed("verdicts.jsonl"), "--scoring", c.Input, "--out", c.In("out.jsonl")]);
        yield return new("scoring json", "scoring.json", SeedShape.Json, "scoring.json", 120, c =>
            ["score", "--rubrics", c.Seed("rubrics.jsonl"), "--verdicts", c.Seed("verdicts.jsonl"), "--scoring", c.Input, "--out", c.In("out.jsonl")]);
        yield return new("endpoints", "endpoints.yaml", SeedShape.Yaml, "endpoints.yaml", 200, c =>
            ["grade", "--dry-run", "--no-cache", "--endpoints", c.Input, "--judge", "local", "--rubrics", c.Seed("rubrics.jsonl"), "--responses",
                c.Seed("responses.jsonl"), "--out", c.In("out.jsonl")], null) { UsageErrorPossible = true };
        yield return new("grade responses", "responses.jsonl", SeedShape.Jsonl, "responses.jsonl", 100, c =>
            ["grade", "--dry-run", "--no-cache", "--rubrics", c.Seed("rubrics.jsonl"), "--responses", c.Input, "--out", c.In("out.jsonl")], null);
        yield return new("ifeval input", "ifeval-input.jsonl", SeedShape.Jsonl, "input.jsonl", 150, c =>
            ["check", "ifeval", "--input", c.Input, "--responses", c.Seed("ifeval-responses.jsonl"), "--out", c.In("ifeval")], Path.Combine("ifeval",
                "eval_results_strict.jsonl"));
        yield return new("ifeval responses", "ifeval-responses.jsonl", SeedShape.Jsonl, "responses.jsonl", 100, c =>
            ["check", "ifeval", "--input", c.Seed("ifeval-input.jsonl"), "--responses", c.Input, "--out", c.In("ifeval")], Path.Combine("ifeval",
                "eval_results_strict.jsonl"));
        yield return new("report graded", "graded.jsonl", SeedShape.Jsonl, "graded.jsonl", 120, c => ["report", c.Dir, "--out", c.In("report.html")],
            "report.html");
        yield return new("report accuracy", "accuracy.jsonl", SeedShape.Jsonl, "accuracy.jsonl", 120, c => ["report", c.Dir, "--out", c.In("report.html")],
            "report.html");
        yield return new("report bon", "bon.jsonl", SeedShape.Jsonl, "bon.jsonl", 120, c => ["report", c.Dir, "--out", c.In("report.html")], "report.html");
        yield return new("report rounds", "round-1.json", SeedShape.Json, Path.Combine("rounds", "sim-7-0001", "round-1.json"), 120, c =>
            ["report", c.Dir, "--out", c.In("report.html")], "report.html");
        yield return new("theory map", "theory-map.json", SeedShape.Json, "map.json", 80, c =>
            ["theory", "--map", "file:" + c.Input, "--beta", "0.1", "--json"], null);
        yield return new("pool import ctt", "ctt-pool.json", SeedShape.Json, "pool.json", 80, c =>
            ["pool", "import", c.Input, "--from", "ctt", "--out", c.In("out.jsonl")]);
        yield return new("pool import healthbench", "healthbench.jsonl", SeedShape.Jsonl, "hb.jsonl", 80, c =>
            ["pool", "import", c.Input, "--from", "healthbench", "--out", c.In("out.jsonl")]);
        // Readers behind a model call: the shared simulated server answers, so fewer cases.
        yield return new("prompts", "prompts.jsonl", SeedShape.Jsonl, "prompts.jsonl", 60, c =>
            ["propose", "--prompts", c.Input, "--proposer", c.Proposer, "--out", c.In("out.jsonl")]);
        yield return new("prompts (sample)", "prompts.jsonl", SeedShape.Jsonl, "prompts.jsonl", 40, c =>
            ["sample", "--prompts", c.Input, "--generators", $"{c.Sim}#sim-great", "--n", "1", "--out", c.In("pool.jsonl")], null);
        yield return new("pool (select)", "pool.jsonl", SeedShape.Jsonl, "pool.jsonl", 50, c =>
            ["select", "--pool", c.Input, "--rubrics", c.Seed("rubrics.jsonl"), "--judge", c.Judge, "--cache", c.In("cache.sqlite"), "--out",
                c.In("out.jsonl")]);
        yield return new("pool (eval bon)", "pool.jsonl", SeedShape.Jsonl, "pool.jsonl", 50, c =>
            ["eval", "bon", "--pool", c.Input, "--rubrics", c.Seed("rubrics.jsonl"), "--judge", c.Judge, "--cache", c.In("cache.sqlite"), "--out",
                c.In("out.jsonl")]);
        yield return new("pairs", "pairs.jsonl", SeedShape.Jsonl, "pairs.jsonl", 50, c =>
            ["eval", "pairs", "--pairs", c.Input, "--responses", c.Seed("pool.jsonl"), "--rubrics", c.Seed("rubrics.jsonl"), "--judge", c.Judge, "--cache",
                c.In("cache.sqlite"), "--out", c.In("out.jsonl")]);
        yield return new("refine round file", "round-1.json", SeedShape.Json, Path.Combine("run", "rounds", "sim-7-0001", "round-1.json"), 60,
            c => ["refine", "--rubrics", c.Seed("rubrics.jsonl"), "--pool", c.Seed("pool.jsonl"), "--iterations", "1", "--judge", c.Judge, "--proposer",
                c.Proposer, "--cache", c.In("cache.sqlite"), "--out", c.In("run")],
            Path.Combine("run", "rubrics.jsonl"));
        // The verdict cache, a SQLite file: a seed made at the start of the test (VerdictCacheSeed), damaged byte-wise.
        yield return new("verdict cache (stats)", VerdictCacheSeed, SeedShape.Binary, "cache.sqlite", 60, c => ["cache", "stats", "--cache", c.Input], null);
        yield return new("verdict cache (grade)", VerdictCacheSeed, SeedShape.Binary, "cache.sqlite", 40,
            c => ["grade", "--rubrics", c.Seed("rubrics.jsonl"), "--responses", c.Seed("responses.jsonl"), "--judge", c.Judge, "--cache", c.Input, "--out",
                c.In("out.jsonl")]);
    }

    private const string VerdictCacheSeed = "(a verdict cache)";

    /// <summary>A verdict cache holding the verdicts of grading the seed responses, as grade leaves it.</summary>
    private static async Task<byte[]> MakeVerdictCacheAsync(string dir, string seeds, string sim)
    {
        var path = Path.Combine(dir, "seed-cache.sqlite");
        var result = CliInProcess.Run(Hang, "grade", "--rubrics", Path.Combine(seeds, "rubrics.jsonl"), "--responses", Path.Combine(seeds, "responses.jsonl"),
            "--judge", $"{sim}#{SimModels.Judge}", "--cache", path, "--out", Path.Combine(dir, "seed-graded.jsonl"));
        Assert.Equal(0, result?.ExitCode);
        // Fold the write-ahead log into the file, so the seed is one self-contained database.
        using (var store = VerdictStores.Open(path)) await store.PruneAsync(DateTimeOffset.UnixEpoch);
        return File.ReadAllBytes(path);
    }

    [Fact]
    public async Task EveryFileReader_MutatedInputs_NeverAnInternalErrorAndEveryErrorLocated()
    {
        var scale = double.TryParse(Environment.GetEnvironmentVariable("TAILMARK_FUZZ_SCALE"), System.Globalization.CultureInfo.InvariantCulture, out var s) ? s
            : 1;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("TAILMARK_FUZZ_SEED"), out var given) ? given : 16;
        var seeds = Path.Combine(TestPaths.TestData, "fuzz");
        using var root = new TempDir();
        await using var sim = await SimServer.StartAsync(new SimServerOptions { World = new SimOptions { Seed = 7, Tasks = 16 } });
        var failures = new List<string>();
        var figures = new StringBuilder();
        var clock = Stopwatch.StartNew();
        int total = 0, exitOne = 0, hangs = 0, internalErrors = 0, unlocated = 0, lost = 0, leftovers = 0;
        var mutator = new InputMutator(seed);
        var cacheSeed = await MakeVerdictCacheAsync(root.Path, seeds, sim.BaseUrl.ToString());
        var only = Environment.GetEnvironmentVariable("TAILMARK_FUZZ_TARGET");
        foreach (var target in Targets().Where(t => string.IsNullOrEmpty(only) || t.Name.Contains(only, StringComparison.Ordinal)))
        {
            var seedBytes = target.Seed == VerdictCacheSeed ? cacheSeed : File.ReadAllBytes(Path.Combine(seeds, target.Seed));
            var cases = Math.Max(1, (int)(target.Cases * scale));
            var targetClock = Stopwatch.StartNew();
            var targetFailures = 0;
            for (var i = 0; i < cases; i++)
            {
                var bytes = mutator.Mutate(seedBytes, target.Shape);
                var dir = Path.Combine(root.Path, $"{total}");
                var c = new FuzzCase(dir, Path.Combine(dir, target.File), seeds, sim.BaseUrl.ToString());
                Directory.CreateDirectory(Path.GetDirectoryName(c.Input)!);
                File.WriteAllBytes(c.Input, bytes);
                var outPath = target.Output is null ? null : c.In(target.Output);
                if (outPath is not null)
                {
                    Directory.CreateDirectory(Path.GetDirectoryName(outPath)!);
                    File.WriteAllText(outPath, Sentinel);
                }
                total++;
                var result = CliInProcess.Run(Hang, target.Args(c));
                var problem = result is null ? "hang" : Judge(result, c, outPath, target.UsageErrorPossible);
                if (result?.ExitCode == 1) exitOne++;
                if (problem is not null)
                {
                    targetFailures++;
                    if (problem == "hang") hangs++;
                    else if (problem.StartsWith("internal", StringComparison.Ordinal)) internalErrors++;
                    else if (problem.StartsWith("unlocated", StringComparison.Ordinal)) unlocated++;
                    else if (problem.StartsWith("lost", StringComparison.Ordinal)) lost++;
                    else if (problem.StartsWith("left", StringComparison.Ordinal)) leftovers++;
                    // Keep the input of the first few failures of each reader for the report and a rerun.
                    if (targetFailures <= 3)
                    {
                        var keep = Path.Combine(Path.GetTempPath(), "tailmark-fuzz-failures", $"{seed}-{total}-{Path.GetFileName(c.Input)}");
                        Directory.CreateDirectory(Path.GetDirectoryName(keep)!);
                        File.WriteAllBytes(keep, bytes);
                        failures.Add($"{target.Name} case {i} (input kept as {keep}): {problem}");
                    }
                    if (problem == "hang") break;
                }
                if (result is not null) TryDelete(dir);
            }
            figures.AppendLine($"{target.Name}: {cases} cases, {targetFailures} failed, {targetClock.Elapsed.TotalSeconds:0.0} s");
        }
        figures.AppendLine($"total: {total} inputs, {exitOne} rejected with exit 1, {internalErrors} internal errors, {hangs} hangs, {unlocated} unlocated " +
            $"errors, " +
            $"{lost} outputs lost, {leftovers} temporary files left, {clock.Elapsed.TotalSeconds:0} s (seed {seed})");
        output.WriteLine(figures.ToString());
        if (Environment.GetEnvironmentVariable("TAILMARK_FUZZ_REPORT") is { Length: > 0 } reportPath) File.WriteAllText(reportPath, figures.ToString());
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(60)) + "\n" + figures);
    }

    /// <summary>What is wrong with one run, or null.</summary>
    private static string? Judge(CliProcess.Result result, FuzzCase c, string? outPath, bool usageErrorPossible)
    {
        var all = result.Stdout + result.Stderr;
        if (result.ExitCode == 70 || all.Contains("internal error", StringComparison.Ordinal) || all.Contains("   at ", StringComparison.Ordinal))
        {
            return $"internal error (exit {result.ExitCode}): {First(all, 600)}";
        }
        if (result.ExitCode is not (0 or 1) && !(usageErrorPossible && result.ExitCode == 2)) return $"exit {result.ExitCode}: {First(all, 400)}";
        foreach (var line in all.Split('\n'))
        {
            if (!ErrorLine().IsMatch(line) || (usageErrorPossible && result.ExitCode == 2)) continue;
            if (!line.StartsWith(c.Dir, StringComparison.Ordinal) && !line.StartsWith(c.Seeds, StringComparison.Ordinal))
            {
                return $"unlocated error: {First(line, 400)}";
            }
        }
        if (outPath is not null && result.ExitCode != 0 && (!File.Exists(outPath) || File.ReadAllText(outPath) != Sentinel))
        {
            return $"lost output: exit {result.ExitCode} but {Path.GetFileName(outPath)} was replaced: {First(all, 300)}";
        }
        var temps = Directory.EnumerateFiles(c.Dir, "*.tmp-*", SearchOption.AllDirectories).ToList();
        if (temps.Count > 0) return $"left a temporary file: {temps[0]}";
        return null;
    }

    [GeneratedRegex(@"(^|: )error: ")]
    private static partial Regex ErrorLine();

    private static string First(string text, int n) => text.Length <= n ? text : text[..n] + "…";

    private static void TryDelete(string dir)
    {
        try
        {
            Directory.Delete(dir, recursive: true);
        }
        catch (IOException)
        {
            // A cache file may still be open in a pooled connection; the folder goes with the root.
        }
    }
}
