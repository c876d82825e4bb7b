using System.Diagnostics;
using System.Text.Json;
using Tailmark.Sim.Server;
using Tailmark.Sim;
using Tailmark.Storage;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Cli;

/// <summary>`tailmark grade` as a real process against the in-process simulated server it starts.</summary>
[Trait("Tier", "Integration")]
public sealed class GradeCommandTests
{
    private static (string Rubrics, string Responses) Inputs(TempDir dir, int tasks = 8, int perTask = 3) => SimFixtures.WriteGradeInputs(dir, tasks, perTask);

    private static string[] Grade(string rubrics, string responses, string output, string cache, params string[] extra) =>
        ["grade", "--rubrics", rubrics, "--responses", responses, "--judge", "sim", "--sim-tasks", "8", "--cache", cache, "--out", output, .. extra];

    [Fact]
    public void Grade_ReliabilityRun_FaultsGiveTheSameOutputAsAFaultFreeRun()
    {
        using var dir = new TempDir();
        var (rubrics, responses) = Inputs(dir);
        var clean = CliProcess.Run(Grade(rubrics, responses, dir.File("clean.jsonl"), dir.File("c1.sqlite")));
        Assert.Equal(0, clean.ExitCode);
        var faulty = CliProcess.Run(Grade(rubrics, responses, dir.File("faulty.jsonl"), dir.File("c2.sqlite"),
            "--sim-faults", "429=0.2,5xx=0.05,hang=0.02,malformed=0.03,retry_after_ms=5", "--timeout", "1", "--retries", "10"));
        Assert.Equal(0, faulty.ExitCode);
        Assert.Equal(File.ReadAllBytes(dir.File("clean.jsonl")), File.ReadAllBytes(dir.File("faulty.jsonl")));
        Assert.Matches(@"retries / failed calls\s*│\s*[1-9][0-9,]* / 0", faulty.Stdout);
        Assert.Contains("responses graded       │ 24", faulty.Stdout);
    }

    [Fact]
    public void Grade_OutputRows_CarryVerdictsRewardBreakdownAndDiagnostics()
    {
        using var dir = new TempDir();
        var (rubrics, responses) = Inputs(dir, tasks: 2, perTask: 1);
        var result = CliProcess.Run(Grade(rubrics, responses, dir.File("g.jsonl"), dir.File("c.sqlite"), "--mode", "batched:4", "--votes", "3"));
        Assert.Equal(0, result.ExitCode);
        var rows = File.ReadAllLines(dir.File("g.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, rows.Count);
        foreach (var row in rows)
        {
            Assert.Equal(11, row.GetProperty("verdicts").EnumerateObject().Count());
            Assert.True(row.GetProperty("reward").ValueKind == JsonValueKind.Number);
            Assert.Equal(11, row.GetProperty("breakdown").GetProperty("criteria").GetArrayLength());
            Assert.Equal(JsonValueKind.Array, row.GetProperty("diagnostics").ValueKind);
        }
        // 2 responses × 11 criteria × 3 votes in batches of 4: 3 calls per response and vote.
        Assert.Matches(@"judge calls\s*│\s*18\s", result.Stdout);
    }

    [Theory]
    [InlineData("--judge", "gpt-9000", "is not an endpoint spec")]
    [InlineData("--mode", "sometimes", "unknown judge mode 'sometimes'")]
    [InlineData("--votes", "0", "error: --votes must be between 1 and 64, not 0\n")]
    [InlineData("--judge", "sim:sim-oracles", "no simulated model 'sim-oracles'")]
    [InlineData("--timeout", "0", "error: --timeout must be positive, not 0\n")]
    [InlineData("--retries", "99", "error: --retries must be between 0 and 20, not 99\n")]
    [InlineData("--max-tokens-per-criterion", "8", "error: --max-tokens-per-criterion must be at least 16, not 8\n")]
    [InlineData("--sim-tasks", "0", "error: --sim-tasks must be at least 1, not 0\n")]
    [InlineData("--concurrency", "0", "error: --concurrency must be at least 1\n")]
    [InlineData("--summary", "s.json --dry-run", "error: --summary describes a finished run; a --dry-run prints its plan only\n")]
    public void Grade_BadOption_ExitsTwoNamingTheOption(string option, string value, string message)
    {
        using var dir = new TempDir();
        var (rubrics, responses) = Inputs(dir, tasks: 1, perTask: 1);
        var args = new List<string>(Grade(rubrics, responses, dir.File("g.jsonl"), dir.File("c.sqlite")));
        var at = args.IndexOf(option);
        if (at >= 0) args[at + 1] = value;
        else args.AddRange([option, .. value.Split(' ')]);
        var result = CliProcess.Run([.. args]);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr.ReplaceLineEndings("\n"));
        Assert.DoesNotContain("Arg_ParamName_Name", result.Stderr); // no runtime resource keys in front of users
    }

    [Fact]
    public async Task Grade_DefaultConcurrency_KeepsTheJudgesLimitBusy()
    {
        // One slow slot: calls queue at the server, so the most requests it held at once is how many calls the CLI
        // keeps in flight. All-at-once mode makes one call per response.
        await using var sim = await SimServer.StartAsync(new SimServerOptions
        {
            World = new SimOptions { Tasks = 8 },
            Capacity = CapacitySpec.Parse("slots=1,prefill_tps=1000000,decode_tps=5000"),
        });
        using var dir = new TempDir();
        var (rubrics, responses) = Inputs(dir, tasks: 8, perTask: 8);
        var endpoints = dir.Write("endpoints.yaml", $"endpoints:\n  slow:\n    url: {sim.BaseUrl}\n    model: sim-judge\n    concurrency: 40\n");
        string[] Args(params string[] extra) =>
            ["grade", "--rubrics", rubrics, "--responses", responses, "--judge", "slow", "--endpoints", endpoints, "--mode", "all", "--no-cache", "--out",
                dir.File("g.jsonl"), .. extra];

        var byDefault = await Task.Run(() => CliProcess.Run(Args()));
        Assert.Equal(0, byDefault.ExitCode);
        // The endpoint's limit, not the floor of 16: up to 40 at once (on a loaded machine a few calls may finish before
        // the last ones start, so the peak can fall a little short of 40; with the floor it could not pass 16).
        Assert.InRange(sim.Service.Stats.Snapshot().PeakInFlight, 17, 40);
        sim.Service.Stats.Reset();
        var chosen = await Task.Run(() => CliProcess.Run(Args("--concurrency", "5")));
        Assert.Equal(0, chosen.ExitCode);
        Assert.InRange(sim.Service.Stats.Snapshot().PeakInFlight, 2, 5); // never more than asked for
    }

    [Fact]
    public void Grade_SummaryJson_AgreesWithTheGradedRows_AndARerunMakesNoCalls()
    {
        using var dir = new TempDir();
        var (rubrics, responses) = Inputs(dir, tasks: 3, perTask: 4);
        var first = CliProcess.Run(Grade(rubrics, responses, dir.File("g.jsonl"), dir.File("c.sqlite"), "--summary", dir.File("out/summary.json")));
        Assert.Equal(0, first.ExitCode);
        var rows = File.ReadLines(dir.File("g.jsonl")).Select(l => JsonDocument.Parse(l).RootElement.Clone()).ToList();
        var statuses = rows.SelectMany(r => r.GetProperty("verdicts").EnumerateObject().Select(v => v.Value.GetProperty("status").GetString())).ToList();
        var rewards = rows.Select(r => r.GetProperty("reward")).Where(r => r.ValueKind == JsonValueKind.Number).Select(r => r.GetDouble()).ToList();
        var summary = JsonDocument.Parse(File.ReadAllText(dir.File("out/summary.json"))).RootElement;
        Assert.Equal(rows.Count, summary.GetProperty("responses_graded").GetInt32());
        Assert.Equal(statuses.Count(s => s == "cannot_assess"), summary.GetProperty("cannot_assess_verdicts").GetInt32());
        Assert.Equal(rows.Count - rewards.Count, summary.GetProperty("undefined_rewards").GetInt32());
        Assert.Equal(Math.Clamp(rewards.Average(), 0, 1), summary.GetProperty("mean_reward").GetDouble(), 12); // the default preset clips the run mean
        // Per-criterion, no faults, an empty cache: one call per verdict; every criterion of these rubrics is judged.
        Assert.Equal(statuses.Count, summary.GetProperty("judge").GetProperty("calls").GetInt32());
        Assert.Equal(0, summary.GetProperty("cache_hits").GetInt32());

        var again = CliProcess.Run(Grade(rubrics, responses, dir.File("g2.jsonl"), dir.File("c.sqlite"), "--summary", dir.File("out/summary.json")));
        Assert.Equal(0, again.ExitCode);
        summary = JsonDocument.Parse(File.ReadAllText(dir.File("out/summary.json"))).RootElement;
        Assert.Equal(0, summary.GetProperty("judge").GetProperty("calls").GetInt32());
        Assert.Equal(statuses.Count, summary.GetProperty("cache_hits").GetInt32());
    }

    /// <summary>How many criteria each response's rubric has, read from the files: a per-criterion run's calls.</summary>
    private static List<int> CriteriaPerResponse(string rubrics, string responses)
    {
        var criteria = File.ReadLines(rubrics).Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(r => r.GetProperty("prompt_id").GetString()!, r => r.GetProperty("criteria").GetArrayLength());
        return [.. File.ReadLines(responses).Select(l => criteria[JsonDocument.Parse(l).RootElement.GetProperty("prompt_id").GetString()!])];
    }

    /// <summary>The dry run's table row for the judge: calls, cached verdicts, prompt tokens, completion budget.</summary>
    private static long[] DryRunRow(string stdout, string judge)
    {
        var match = System.Text.RegularExpressions.Regex.Match(stdout, $@"│ {judge}\s*│([^\n]*)");
        Assert.True(match.Success, stdout);
        return [.. match.Groups[1].Value.Split('│', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries).Take(4).Select(c =>
            long.Parse(c.Replace(",", ""), System.Globalization.CultureInfo.InvariantCulture))];
    }

    [Fact]
    public void Grade_DryRun_CountsTheCallsARunMakes_SendsNothing_AndSeesTheCache()
    {
        using var dir = new TempDir();
        var (rubrics, responses) = Inputs(dir, tasks: 3, perTask: 3);
        var perResponse = CriteriaPerResponse(rubrics, responses);

        var dry = CliProcess.Run(Grade(rubrics, responses, dir.File("g.jsonl"), dir.File("c.sqlite"), "--dry-run"));
        Assert.Equal(0, dry.ExitCode);
        Assert.Contains("nothing was sent", dry.Stdout);
        Assert.False(File.Exists(dir.File("g.jsonl")));
        Assert.False(File.Exists(dir.File("c.sqlite"))); // a dry run reads a cache, never creates one
        var planned = DryRunRow(dry.Stdout, "sim");
        Assert.Equal(perResponse.Sum(), planned[0]); // per-criterion: one call per criterion
        Assert.Equal(0, planned[1]);
        Assert.Equal(perResponse.Sum() * (64 + 160), planned[3]); // each call's output budget: 64 + 160 per criterion

        var run = CliProcess.Run(Grade(rubrics, responses, dir.File("g.jsonl"), dir.File("c.sqlite"), "--summary", dir.File("s.json")));
        Assert.Equal(0, run.ExitCode);
        Assert.Equal(planned[0], JsonDocument.Parse(File.ReadAllText(dir.File("s.json"))).RootElement.GetProperty("judge").GetProperty("calls").GetInt64());

        var after = DryRunRow(CliProcess.Run(Grade(rubrics, responses, dir.File("g.jsonl"), dir.File("c.sqlite"), "--dry-run")).Stdout, "sim");
        Assert.Equal([0, perResponse.Sum()], after[..2]); // everything cached now

        // All at once with three votes: one call per response and vote, each budgeted 64 + 160 per criterion.
        var votes = DryRunRow(CliProcess.Run(Grade(rubrics, responses, dir.File("g.jsonl"), dir.File("other.sqlite"), "--dry-run", "--mode", "all", "--votes",
            "3")).Stdout, "sim");
        Assert.Equal(perResponse.Count * 3, votes[0]);
        Assert.Equal(perResponse.Sum(n => 3L * (64 + 160 * n)), votes[3]);

        // A priced endpoint that is not even running: a dry run neither checks nor calls it; the bound is the prices
        // (USD per million tokens) applied to the estimate and the whole output budget.
        var endpoints = dir.Write("endpoints.yaml",
            "endpoints:\n  paid:\n    url: http://127.0.0.1:9/v1\n    model: m\n    price: { prompt: 3.0, cached_prompt: 1.5, completion: 15.0 }\n");
        var args = Grade(rubrics, responses, dir.File("g.jsonl"), dir.File("other.sqlite"), "--dry-run", "--endpoints", endpoints).ToList();
        args[args.IndexOf("--judge") + 1] = "paid";
        var paid = CliProcess.Run([.. args]);
        Assert.Equal(0, paid.ExitCode);
        var row = DryRunRow(paid.Stdout, "paid");
        var bound = (row[2] * 3.0 + row[3] * 15.0) / 1e6;
        Assert.Contains("at most " + bound.ToString("$0.0000", System.Globalization.CultureInfo.InvariantCulture), paid.Stdout);
    }

    [Fact]
    public void Grade_WithoutJudge_UsesTheSimulatedJudge()
    {
        using var dir = new TempDir();
        var (rubrics, responses) = Inputs(dir, tasks: 2, perTask: 2);
        Assert.Equal(0, CliProcess.Run(Grade(rubrics, responses, dir.File("named.jsonl"), dir.File("c1.sqlite"))).ExitCode);
        var args = Grade(rubrics, responses, dir.File("default.jsonl"), dir.File("c2.sqlite")).ToList();
        args.RemoveRange(args.IndexOf("--judge"), 2);
        var result = CliProcess.Run([.. args]);
        Assert.Equal(0, result.ExitCode);
        Assert.Equal(File.ReadAllBytes(dir.File("named.jsonl")), File.ReadAllBytes(dir.File("default.jsonl")));
    }

    [Fact]
    public void Grade_UnreachableJudge_StopsBeforeGradingAndWritesNothing()
    {
        using var dir = new TempDir();
        var (rubrics, responses) = Inputs(dir, tasks: 2, perTask: 2);
        var port = LoopbackPort.Closed();
        var result = CliProcess.Run("grade", "--rubrics", rubrics, "--responses", responses, "--judge", $"http://127.0.0.1:{port}/v1#m",
            "--no-cache", "--out", dir.File("graded.jsonl"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"error: http://127.0.0.1:{port}/v1#m: cannot reach http://127.0.0.1:{port}/v1", result.Stderr);
        Assert.False(File.Exists(dir.File("graded.jsonl")));
    }

    [Fact]
    public async Task Grade_JudgeRejectingEveryCall_WarnsThenStopsEarly()
    {
        await using var sim = await SimServer.StartAsync(new SimServerOptions { World = new SimOptions { Tasks = 8 } });
        using var dir = new TempDir();
        var (rubrics, responses) = Inputs(dir, tasks: 8, perTask: 20);
        var result = await Task.Run(() => CliProcess.Run("grade", "--rubrics", rubrics, "--responses", responses,
            "--judge", $"{sim.BaseUrl}#no-such-model", "--no-cache", "--out", dir.File("graded.jsonl")));
        Assert.Equal(1, result.ExitCode);
        // The probe saw the model missing from the server's list; the server then answered every call 404.
        Assert.Contains("warning: ", result.Stderr);
        Assert.Contains("the model 'no-such-model' is not among those", result.Stderr);
        Assert.Matches(@"error: [^ ]*#no-such-model: the first \d+ calls all failed and none succeeded \(the last: HTTP 404 \(", result.Stderr);
        Assert.DoesNotContain("HTTP 404: HTTP 404", result.Stderr);
        // Stopped long before the file was done: one per-criterion call per criterion of each response's rubric.
        var wholeFile = CriteriaPerResponse(rubrics, responses).Sum();
        var requests = sim.Service.Stats.Snapshot().Requests;
        Assert.InRange(requests, 20, wholeFile / 2);
        Assert.False(File.Exists(dir.File("graded.jsonl")));
    }

    [Fact]
    public void Grade_ResponseWithoutRubric_IsReportedWithItsLine()
    {
        using var dir = new TempDir();
        var (rubrics, _) = Inputs(dir, tasks: 1, perTask: 1);
        var responses = dir.Write("r.jsonl", """{"prompt_id": "nowhere", "response_id": "a", "response": "hi"}""" + "\n");
        var result = CliProcess.Run(Grade(rubrics, responses, dir.File("g.jsonl"), dir.File("c.sqlite")));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{responses}:1: error: prompt_id: no instance rubric for prompt \"nowhere\"", result.Stderr);
    }
}
