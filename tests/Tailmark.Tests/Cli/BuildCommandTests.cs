using System.Text.Json;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Cli;

[Trait("Tier", "Integration")]
public sealed class BuildCommandTests
{
    [Fact]
    public void SampleProposeRefine_EndToEnd_AndSampleResumes()
    {
        using var dir = new TempDir();
        var prompts = dir.File("prompts.jsonl");
        Assert.Equal(0, CliProcess.Run("sim", "export", "--tasks", "3", "--out", prompts).ExitCode);
        var pool = dir.File("pool.jsonl");
        var first = CliProcess.Run("sample", "--prompts", prompts, "--generators", "sim:sim-great,sim:sim-diverse-2", "--n", "2", "--out", pool, "--sim-tasks",
            "3");
        Assert.Equal(0, first.ExitCode);
        Assert.Contains("sampled 12 response(s)", first.Stderr);
        File.AppendAllText(pool, "{\"prompt_id\": \"sim-7-0001\", \"respo"); // a torn line, as a killed run leaves
        var again = CliProcess.Run("sample", "--prompts", prompts, "--generators", "sim:sim-great,sim:sim-diverse-2", "--n", "2", "--out", pool, "--sim-tasks",
            "3");
        Assert.Contains("sampled 0 response(s) into", again.Stderr);
        Assert.Contains("(12 were already there", again.Stderr);
        var rows = File.ReadAllLines(pool).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(12, rows.Count);
        Assert.All(rows, r => Assert.StartsWith("sim-", r.GetProperty("generator").GetString()));

        var rubrics = dir.File("rubrics.jsonl");
        Assert.Equal(0, CliProcess.Run("propose", "--prompts", prompts, "--out", rubrics, "--sim-tasks", "3").ExitCode);
        Assert.Equal(0, CliProcess.Run("validate", rubrics).ExitCode);
        var run = dir.File("run");
        var refine = CliProcess.Run("refine", "--rubrics", rubrics, "--pool", pool, "--iterations", "2", "--out", run, "--sim-tasks", "3", "--cache",
            dir.File("c.sqlite"));
        Assert.Equal(0, refine.ExitCode);
        Assert.Equal(3, File.ReadAllLines(Path.Combine(run, "rubrics.jsonl")).Length);
        Assert.Equal(3, Directory.GetDirectories(Path.Combine(run, "rounds")).Length);
        Assert.Equal(0, CliProcess.Run("validate", Path.Combine(run, "rubrics.jsonl")).ExitCode);
    }

    [Fact]
    public void Sample_CleanAndResumedRuns_WriteTheSameBytes_AndAForeignBadLineIsAnError()
    {
        using var dir = new TempDir();
        var prompts = dir.File("prompts.jsonl");
        Assert.Equal(0, CliProcess.Run("sim", "export", "--tasks", "3", "--out", prompts).ExitCode);
        string[] Sample(string pool) =>
            ["sample", "--prompts", prompts, "--generators", "sim:sim-great,sim:sim-diverse-2", "--n", "3", "--out", pool, "--sim-tasks", "3", "--concurrency",
                "16"];
        Assert.Equal(0, CliProcess.Run(Sample(dir.File("a.jsonl"))).ExitCode);
        Assert.Equal(0, CliProcess.Run(Sample(dir.File("b.jsonl"))).ExitCode);
        var clean = File.ReadAllBytes(dir.File("a.jsonl"));
        Assert.Equal(clean, File.ReadAllBytes(dir.File("b.jsonl")));
        // In the plan's order: prompt, then generator, then sample index.
        var ids = File.ReadAllLines(dir.File("a.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.GetProperty("response_id").GetString()).Take(6);
        Assert.Equal(["sim-great-0", "sim-great-1", "sim-great-2", "sim-diverse-2-0", "sim-diverse-2-1", "sim-diverse-2-2"], ids);

        // A killed run: five samples, in the order they happened to arrive, and a torn line.
        var lines = File.ReadAllLines(dir.File("a.jsonl"));
        var killed = dir.Write("c.jsonl", string.Join("\n", lines.Take(5).Reverse()) + "\n" + lines[5][..20]);
        var resumed = CliProcess.Run(Sample(killed));
        Assert.Equal(0, resumed.ExitCode);
        Assert.Contains($"{killed}:6: warning: the last line was cut short", resumed.Stderr);
        Assert.Contains("sampled 13 response(s)", resumed.Stderr);
        Assert.Equal(clean, File.ReadAllBytes(killed));

        // A line that is not a row, not at the end: a user's, not a killed run's; it is reported, never deleted.
        var foreign = dir.Write("d.jsonl", lines[0] + "\n{\"note\": \"keep me\"}\n" + lines[1] + "\n");
        var refused = CliProcess.Run(Sample(foreign));
        Assert.Equal(1, refused.ExitCode);
        Assert.Contains($"{foreign}:2: error: prompt_id: required field is missing", refused.Stderr);
        Assert.Contains("keep me", File.ReadAllText(foreign));
    }

    [Fact]
    public async Task Propose_NamedEndpointFromTheEndpointsFile_IsTheSameModelAsTheSpec()
    {
        // A server of its own with the world the in-process sim would start (seed 7, 3 tasks), named in a file.
        await using var sim = await Tailmark.Sim.Server.SimServer.StartAsync(
            new Tailmark.Sim.Server.SimServerOptions { World = new Tailmark.Sim.SimOptions { Tasks = 3 } });
        using var dir = new TempDir();
        var prompts = dir.File("prompts.jsonl");
        Assert.Equal(0, CliProcess.Run("sim", "export", "--tasks", "3", "--out", prompts).ExitCode);
        var endpoints = dir.Write("endpoints.yaml", $"endpoints:\n  my-proposer:\n    url: {sim.BaseUrl}\n    model: sim-proposer\n    concurrency: 2\n");
        var named = await Task.Run(() =>
            CliProcess.Run("propose", "--prompts", prompts, "--proposer", "my-proposer", "--endpoints", endpoints, "--out", dir.File("named.jsonl")));
        Assert.Equal(0, named.ExitCode);
        Assert.Equal(0, CliProcess.Run("propose", "--prompts", prompts, "--proposer", "sim", "--sim-tasks", "3", "--out", dir.File("spec.jsonl")).ExitCode);
        Assert.Equal(File.ReadAllBytes(dir.File("spec.jsonl")), File.ReadAllBytes(dir.File("named.jsonl")));
        Assert.True(sim.Service.Stats.Snapshot().Requests >= 3); // the named server did the work
    }

    [Fact]
    public async Task Propose_KilledMidRun_ResumesWithoutAskingAgain_AndWritesWhatACleanRunWrites()
    {
        // A slow proposer (one slot, 400 decode tokens/s) of its own, so the run is killed part-way and its calls counted.
        await using var sim = await Tailmark.Sim.Server.SimServer.StartAsync(new Tailmark.Sim.Server.SimServerOptions
        {
            World = new Tailmark.Sim.SimOptions { Tasks = 8, ProposerMalformedRate = 0 },
            Capacity = Tailmark.Sim.CapacitySpec.Parse("slots=1,prefill_tps=1000000,decode_tps=400"),
        });
        using var dir = new TempDir();
        var prompts = dir.File("prompts.jsonl");
        Assert.Equal(0, CliProcess.Run("sim", "export", "--tasks", "8", "--out", prompts).ExitCode);
        string[] Propose(string output) =>
            ["propose", "--prompts", prompts, "--proposer", $"{sim.BaseUrl}#sim-proposer", "--concurrency", "1", "--out", output];
        Assert.Equal(0, (await Task.Run(() => CliProcess.Run(Propose(dir.File("clean.jsonl"))))).ExitCode);

        var output = dir.File("rubrics.jsonl");
        var journal = dir.File("rubrics.partial.jsonl");
        var start = new System.Diagnostics.ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(CliProcess.CliDll);
        foreach (var a in Propose(output)) start.ArgumentList.Add(a);
        using (var process = System.Diagnostics.Process.Start(start)!)
        {
            var deadline = DateTime.UtcNow.AddSeconds(90);
            while (DateTime.UtcNow < deadline && !process.HasExited && (!File.Exists(journal) || File.ReadAllLines(journal).Length < 3)) await Task.Delay(50);
            Assert.False(process.HasExited, "the run finished before it could be killed");
            process.Kill(entireProcessTree: true); // kill -9
            await process.WaitForExitAsync();
        }
        Assert.False(File.Exists(output));
        var kept = File.ReadAllLines(journal).Count(l => l.EndsWith('}'));
        Assert.InRange(kept, 3, 7);

        var before = sim.Service.Stats.Snapshot().Requests;
        var rerun = await Task.Run(() => CliProcess.Run(Propose(output)));
        Assert.Equal(0, rerun.ExitCode);
        Assert.Contains($"({kept} from an unfinished earlier run)", rerun.Stderr);
        Assert.Equal(8 - kept, sim.Service.Stats.Snapshot().Requests - before); // only the prompts it had not proposed
        Assert.Equal(File.ReadAllBytes(dir.File("clean.jsonl")), File.ReadAllBytes(output));
        Assert.False(File.Exists(journal));
    }

    [Fact]
    public void Experiment_PrintsTheTableAndWritesJson()
    {
        using var dir = new TempDir();
        var result = CliProcess.Run("experiment", "tail", "--tasks", "4", "--seed", "11", "--out", dir.File("e.jsonl"));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("4 rounds, great & diverse", result.Stdout);
        Assert.Equal(5, File.ReadAllLines(dir.File("e.jsonl")).Length);
    }
}
