using System.Text.Json;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Cli;

/// <summary>`grade --shard I/N` and `merge` as real processes on real SQLite verdict caches.</summary>
[Trait("Tier", "Integration")]
public sealed class ShardCommandTests
{
    [Fact]
    public void ShardAndMerge_ThreeParts_EachOnItsOwnCache_EqualsOneRunByteForByte()
    {
        using var dir = new TempDir();
        var job = ShardJob.Write(dir);
        var one = CliProcess.Run(job.Grade("one.jsonl", dir.File("one.sqlite"), "--summary", dir.File("one.json")));
        Assert.True(one.ExitCode == 0, one.All);
        // Parts graded in an order of their own, each on its own cache, as on three machines; part 2's machine keeps its
        // copies of the input files elsewhere.
        var elsewhere = Directory.CreateDirectory(dir.File("elsewhere")).FullName;
        File.Copy(job.Rubrics, Path.Combine(elsewhere, "r.jsonl"));
        File.Copy(job.Responses, Path.Combine(elsewhere, "s.jsonl"));
        foreach (var i in new[] { 3, 1, 2 })
        {
            var args = job.Grade($"part{i}.jsonl", dir.File($"part{i}.sqlite"), "--shard", $"{i}/3");
            if (i == 2) args = [.. args.Select(a =>
                a == job.Rubrics ? Path.Combine(elsewhere, "r.jsonl") : a == job.Responses ? Path.Combine(elsewhere, "s.jsonl") : a)];
            var part = CliProcess.Run(args);
            Assert.True(part.ExitCode == 0, part.All);
            Assert.Contains($"part {i}/3: ", part.Stderr);
        }

        // Every input row is in exactly one part.
        var lines = Enumerable.Range(1, 3).SelectMany(ShardLines).ToList();
        Assert.Equal(job.InputLines(), lines.Order());
        // A prompt's rows stay together, and 8 equal prompts over 3 parts are dealt 3, 3, 2.
        var prompts = Enumerable.Range(1, 3).Select(i => File.ReadAllLines(job.Part(i)).Select(PromptOf).ToHashSet()).ToList();
        Assert.Equal(8, prompts.Sum(p => p.Count));
        Assert.Equal([2, 3, 3], prompts.Select(p => p.Count).Order());

        var merge = CliProcess.Run("merge", job.Part(2), job.Part(3), job.Part(1), "--out", dir.File("merged.jsonl"), "--summary", dir.File("merged.json"));
        Assert.True(merge.ExitCode == 0, merge.All);
        Assert.Equal(File.ReadAllBytes(dir.File("one.jsonl")), File.ReadAllBytes(dir.File("merged.jsonl")));
        Assert.Equal(ShardJob.Outcome(dir.File("one.json")), ShardJob.Outcome(dir.File("merged.json")));
        // The judge calls of the parts add up to the one run's: no prompt was judged twice.
        Assert.Equal(Calls(dir.File("one.json")), Calls(dir.File("merged.json")));

        // A part run again (a killed part restarted) judges nothing: its verdicts are in its cache; its rows are the same.
        var before = File.ReadAllBytes(job.Part(2));
        var again = CliProcess.Run(job.Grade("part2.jsonl", dir.File("part2.sqlite"), "--shard", "2/3", "--summary", dir.File("again.json")));
        Assert.True(again.ExitCode == 0, again.All);
        Assert.Equal(0, Calls(dir.File("again.json")));
        Assert.Equal(before, File.ReadAllBytes(job.Part(2)));

        List<int> ShardLines(int i) => ShardJob.Lines(job.Part(i));
    }

    [Fact]
    public async Task Shard_KilledMidRun_LeavesNoRowsNorManifest_AndResumesFromItsCache()
    {
        using var dir = new TempDir();
        var job = ShardJob.Write(dir);
        Assert.Equal(0, CliProcess.Run(job.Grade("one.jsonl", dir.File("one.sqlite"))).ExitCode);
        // Part 1 of 2: 4 of the 8 prompts, 12 rows × 11 criteria.
        const int total = 12 * 11;
        var cache = dir.File("part1.sqlite");
        using var store = Tailmark.Storage.VerdictStores.Open(cache);
        // A slow simulated server (4 slots, 2,000 decode tokens/s) so the part is killed part-way.
        using (var process = CliProcess.Start(null, null,
            job.Grade("part1.jsonl", cache, "--shard", "1/2", "--sim-capacity", "slots=4,prefill_tps=100000,decode_tps=2000")))
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            var deadline = DateTime.UtcNow.AddSeconds(90);
            long stored = 0;
            while (DateTime.UtcNow < deadline && stored < 30 && !process.HasExited)
            {
                await Task.Delay(100);
                stored = (await store.StatsAsync()).Entries;
            }
            Assert.False(process.HasExited, "the part finished before it could be killed");
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync();
            await Task.WhenAll(output, errors);
        }
        Assert.False(File.Exists(job.Part(1)));
        Assert.False(File.Exists(job.Part(1) + ".shard.json"));
        var before = (await store.StatsAsync()).Entries;
        Assert.InRange(before, 30, total - 1);

        var rerun = CliProcess.Run(job.Grade("part1.jsonl", cache, "--shard", "1/2", "--summary", dir.File("rerun.json")));
        Assert.True(rerun.ExitCode == 0, rerun.All);
        Assert.Equal(total - before, Calls(dir.File("rerun.json")));
        Assert.Equal(0, CliProcess.Run(job.Grade("part2.jsonl", dir.File("part2.sqlite"), "--shard", "2/2")).ExitCode);
        Assert.Equal(0, CliProcess.Run("merge", job.Part(1), job.Part(2), "--out", dir.File("merged.jsonl")).ExitCode);
        Assert.Equal(File.ReadAllBytes(dir.File("one.jsonl")), File.ReadAllBytes(dir.File("merged.jsonl")));
    }

    [Fact]
    public void ShardAndMerge_OnePart_IsTheWholeRun()
    {
        using var dir = new TempDir();
        var job = ShardJob.Write(dir, tasks: 3, perTask: 2);
        Assert.Equal(0, CliProcess.Run(job.Grade("one.jsonl", dir.File("c.sqlite"))).ExitCode);
        Assert.Equal(0, CliProcess.Run(job.Grade("part1.jsonl", dir.File("c.sqlite"), "--shard", "1/1")).ExitCode);
        Assert.Equal(File.ReadAllBytes(dir.File("one.jsonl")), File.ReadAllBytes(job.Part(1)));
        Assert.Equal(0, CliProcess.Run("merge", job.Part(1), "--out", dir.File("m.jsonl")).ExitCode);
        Assert.Equal(File.ReadAllBytes(dir.File("one.jsonl")), File.ReadAllBytes(dir.File("m.jsonl")));
    }

    [Fact]
    public void Merge_RefusesPartsThatDoNotMakeOneJob_NamingTheFile_AndWritesNothing()
    {
        using var dir = new TempDir();
        var job = ShardJob.Write(dir, tasks: 4, perTask: 2);
        for (var i = 1; i <= 2; i++) Assert.Equal(0, CliProcess.Run(job.Grade($"part{i}.jsonl", dir.File("c.sqlite"), "--shard", $"{i}/2")).ExitCode);
        var merged = dir.File("merged.jsonl");

        void Refused(string expected, params string[] parts)
        {
            var result = CliProcess.Run(["merge", .. parts, "--out", merged]);
            Assert.True(result.ExitCode == 1, result.All);
            Assert.Contains(expected, result.Stderr);
            Assert.False(File.Exists(merged));
        }

        Refused($"{job.Part(1)}: error: part 2/2 missing: merge needs all 2 parts of the job (given: 1/2)", job.Part(1));
        Refused($"{job.Part(1)}: error: part: part 1/2 again (also {job.Part(1)})", job.Part(1), job.Part(2), job.Part(1));

        // A part of a job cut in three.
        Assert.Equal(0, CliProcess.Run(job.Grade("third.jsonl", dir.File("c.sqlite"), "--shard", "3/3")).ExitCode);
        Refused($"{dir.File("third.jsonl")}: error: part 3/3 of a job in 3 parts (part 1/2 in {job.Part(1)} says 2 parts)", job.Part(1), job.Part(2),
            dir.File("third.jsonl"));

        // A part graded with another judge mode, from the same input.
        Assert.Equal(0, CliProcess.Run(job.Grade("other.jsonl", dir.File("c.sqlite"), "--shard", "2/2", "--mode", "batched:4")).ExitCode);
        Refused($"{dir.File("other.jsonl")}: error: graded with other settings: --mode 'batched:4' (part 1/2 in {job.Part(1)} says 'per-criterion')",
            job.Part(1), dir.File("other.jsonl"));

        // A part graded from another response file (one row fewer).
        var shorter = dir.Write("shorter.jsonl", string.Join('\n', File.ReadAllLines(job.Responses).Skip(1)) + "\n");
        var fromShorter = CliProcess.Run(["grade", "--rubrics", job.Rubrics, "--responses", shorter, "--judge", "sim", "--sim-tasks", "8", "--cache",
            dir.File("c.sqlite"),
            "--out", dir.File("short2.jsonl"), "--shard", "2/2"]);
        Assert.Equal(0, fromShorter.ExitCode);
        Refused($"{dir.File("short2.jsonl")}: error: graded from another response file", job.Part(1), dir.File("short2.jsonl"));

        // Rows changed after the part was graded, and rows without a manifest.
        File.Copy(job.Part(2), dir.File("edited.jsonl"));
        File.Copy(job.Part(2) + ".shard.json", dir.File("edited.jsonl.shard.json"));
        File.WriteAllLines(dir.File("edited.jsonl"), File.ReadAllLines(job.Part(2)).SkipLast(1));
        Refused($"{dir.File("edited.jsonl")}: error: the rows differ from those edited.jsonl.shard.json describes (changed or cut short since the part was " +
            $"graded): grade part 2/2 again", job.Part(1), dir.File("edited.jsonl"));
        File.Copy(job.Part(2), dir.File("bare.jsonl"));
        Refused($"{dir.File("bare.jsonl")}: error: no shard manifest beside it (bare.jsonl.shard.json)", job.Part(1), dir.File("bare.jsonl"));

        // The parts as they were still merge.
        Assert.Equal(0, CliProcess.Run("merge", job.Part(1), job.Part(2), "--out", merged).ExitCode);
        Assert.Equal(File.ReadAllLines(job.Responses).Length, File.ReadAllLines(merged).Length);
    }

    [Theory]
    [InlineData("0/3", "error: --shard wants I/N with 1 ≤ I ≤ N, not 0/3\n")]
    [InlineData("4/3", "error: --shard wants I/N with 1 ≤ I ≤ N, not 4/3\n")]
    [InlineData("1/0", "error: --shard wants I/N with N between 1 and 4096, not N = 0\n")]
    [InlineData("2", "error: --shard wants I/N (part I of N, counted from 1, e.g. 2/3), not '2'\n")]
    [InlineData("a/b", "error: --shard wants I/N (part I of N, counted from 1, e.g. 2/3), not 'a/b'\n")]
    [InlineData("-1/3", "error: --shard wants I/N (part I of N, counted from 1, e.g. 2/3), not '-1/3'\n")]
    public void Grade_BadShard_ExitsTwoSayingWhatIsWrong(string shard, string message)
    {
        using var dir = new TempDir();
        var job = ShardJob.Write(dir, tasks: 1, perTask: 1);
        var result = CliProcess.Run(job.Grade("g.jsonl", dir.File("c.sqlite"), "--shard", shard));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr.ReplaceLineEndings("\n"));
        Assert.False(File.Exists(dir.File("g.jsonl")));
    }

    [Theory]
    [InlineData("--out", "-", "error: --shard writes a manifest beside its rows; give --out a file, not standard output\n")]
    [InlineData("--out", "g.json", "error: --shard writes JSONL rows for `tailmark merge`; give --out a .jsonl file, not a .json array\n")]
    public void Grade_ShardWithAnOptionItCannotServe_ExitsTwo(string option, string value, string message)
    {
        using var dir = new TempDir();
        var job = ShardJob.Write(dir, tasks: 1, perTask: 1);
        var args = new List<string>(job.Grade("g.jsonl", dir.File("c.sqlite"), "--shard", "1/2"));
        var at = args.IndexOf(option);
        if (at >= 0) args[at + 1] = value;
        else args.Add(option);
        var result = CliProcess.Run([.. args]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr.ReplaceLineEndings("\n"));
    }

    [Fact]
    public void Grade_BadRow_IsReportedByThePartItFallsTo_TheOtherPartsGoOn()
    {
        using var dir = new TempDir();
        var job = ShardJob.Write(dir, tasks: 4, perTask: 2);
        // Line 9 cannot be read: it has no prompt, so it goes by its line, to part ((9 − 1) mod 2) + 1 = 1.
        File.AppendAllText(job.Responses, "{not json\n");
        var first = CliProcess.Run(job.Grade("part1.jsonl", dir.File("c.sqlite"), "--shard", "1/2"));
        var second = CliProcess.Run(job.Grade("part2.jsonl", dir.File("c.sqlite"), "--shard", "2/2"));
        Assert.Equal(1, first.ExitCode);
        Assert.Contains($"{job.Responses}:9: error:", first.Stderr);
        Assert.False(File.Exists(job.Part(1) + ".shard.json"));
        Assert.True(File.Exists(dir.File("part1.partial.jsonl")));
        Assert.True(second.ExitCode == 0, second.All);
        Assert.DoesNotContain(":9:", second.Stderr);
    }

    [Fact]
    public void DryRun_OfAPart_PlansItsRowsOnly()
    {
        using var dir = new TempDir();
        var job = ShardJob.Write(dir, tasks: 4, perTask: 2);
        // 4 prompts of 11 criteria, 2 rows each, over 2 parts: 2 prompts, 4 rows and 44 per-criterion calls a part.
        var whole = CliProcess.Run(job.Grade("g.jsonl", dir.File("c.sqlite"), "--dry-run"));
        Assert.Contains("dry run: 8 responses to grade", whole.Stdout);
        Assert.Contains(" 88 judge calls", whole.Stdout);
        var part = CliProcess.Run(job.Grade("g.jsonl", dir.File("c.sqlite"), "--dry-run", "--shard", "2/2"));
        Assert.True(part.ExitCode == 0, part.All);
        Assert.Contains("part 2/2: 4 of 8 rows, 44 of 88 judged criteria (heaviest part 1.000× the mean)", part.Stderr);
        Assert.Contains("dry run: 4 responses to grade", part.Stdout);
        Assert.Contains(" 44 judge calls", part.Stdout);
        Assert.False(File.Exists(dir.File("g.jsonl")));
    }

    private static string PromptOf(string row)
    {
        using var doc = JsonDocument.Parse(row);
        return doc.RootElement.GetProperty("prompt_id").GetString()!;
    }

    private static long Calls(string summary)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(summary));
        return doc.RootElement.GetProperty("judge").GetProperty("calls").GetInt64();
    }
}
