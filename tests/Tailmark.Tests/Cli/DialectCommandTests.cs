using System.Text.Json;
using Tailmark.Sim;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Cli;

/// <summary>
/// Every command that calls models, as a real process, against in-process simulated models that answer like served
/// ones (`--sim-dialect`): the results equal the clean dialect's; a judge that never answers usably stops the run; a
/// server that refuses json_schema is met with a fallback, said once.
/// </summary>
[Trait("Tier", "Integration")]
public sealed class DialectCommandTests
{
    // Per graded row: prompt, response, reward, and every verdict's status and level (reasons may differ: a judge that
    // writes {"c1": "yes"} gives none).
    private static List<string> Graded(string path) =>
        [.. File.ReadAllLines(path).Where(l => l.Length > 0).Select(l =>
        {
            var row = JsonDocument.Parse(l).RootElement;
            var verdicts = row.GetProperty("verdicts").EnumerateObject().Select(v =>
                $"{v.Name}={v.Value.GetProperty("status").GetString()}:{(v.Value.TryGetProperty("level", out var level) ? level.GetRawText() : "")}");
            return $"{row.GetProperty("prompt_id").GetString()}/{row.GetProperty("response_id").GetString()} {row.GetProperty("reward").GetRawText()} " +
                $"{string.Join(",", verdicts)}";
        })];

    private static (string Rubrics, string Responses) SimInputs(TempDir dir)
    {
        var world = new SimWorld(new SimOptions().Seed, 6);
        var rubrics = dir.File("rubrics.jsonl");
        var responses = dir.File("responses.jsonl");
        SimFixtures.WriteRubrics(rubrics, world);
        SimFixtures.WriteResponses(responses, SimFixtures.Responses(world, 2));
        return (rubrics, responses);
    }

    private static CliProcess.Result Grade(TempDir dir, string rubrics, string responses, string output, params string[] extra) =>
        CliProcess.Run(["grade", "--rubrics", rubrics, "--responses", responses, "--judge", "sim", "--sim-tasks", "6", "--no-cache", "--out", output,
            .. extra]);

    [Theory]
    [InlineData("per-criterion")]
    [InlineData("batched:4")]
    [InlineData("all")]
    public void Grade_MixedDialect_EqualsClean(string mode)
    {
        using var dir = new TempDir();
        var (rubrics, responses) = SimInputs(dir);
        Assert.Equal(12, MixedEqualsClean(dir,
            ["grade", "--rubrics", rubrics, "--responses", responses, "--judge", "sim", "--sim-tasks", "6", "--no-cache", "--mode", mode]));
    }

    // Runs a grade command on the clean and the mixed dialect: the same graded rows, none cannot_assess. Returns the rows.
    private static int MixedEqualsClean(TempDir dir, string[] grade)
    {
        Assert.Equal(0, CliProcess.Run([.. grade, "--out", dir.File("clean.jsonl")]).ExitCode);
        var mixed = CliProcess.Run([.. grade, "--out", dir.File("mixed.jsonl"), "--sim-dialect", "mixed"]);
        Assert.Equal(0, mixed.ExitCode);
        var expected = Graded(dir.File("clean.jsonl"));
        Assert.DoesNotContain("cannot_assess", string.Join("\n", expected));
        Assert.Equal(expected, Graded(dir.File("mixed.jsonl")));
        Assert.Matches(@"cannot_assess verdicts\s*│\s*0\s", mixed.Stdout);
        return expected.Count;
    }

    [Fact]
    public void Grade_HealthBenchPerCriterion_MixedJudge_RecoversEveryVerdict()
    {
        using var dir = new TempDir();
        var rubrics = dir.File("hb.jsonl");
        var pool = dir.File("pool.jsonl");
        Assert.Equal(0, CliProcess.Run("convert", TestPaths.HealthBench, "--from", "healthbench", "--to", "tailmark", "--out", rubrics).ExitCode);
        Assert.Equal(0, CliProcess.Run("pool", "import", TestPaths.HealthBench, "--from", "healthbench", "--out", pool).ExitCode);
        var rows = MixedEqualsClean(dir, ["grade", "--rubrics", rubrics, "--responses", pool, "--judge", "sim", "--mode", "per-criterion", "--no-cache"]);
        Assert.True(rows >= 24, $"{rows} graded rows");
    }

    [Fact]
    public void Grade_JudgeThatNeverAnswersUsably_StopsWithExit1_NothingWritten()
    {
        using var dir = new TempDir();
        var (rubrics, responses) = SimInputs(dir);
        var output = dir.File("out.jsonl");
        var result = Grade(dir, rubrics, responses, output, "--sim-dialect", "garbage");
        Assert.Equal(1, result.ExitCode);
        Assert.False(File.Exists(output));
        Assert.Empty(Directory.EnumerateFiles(dir.Path, "out.jsonl*"));
        // At least 20: the calls already in flight when the twentieth came back are counted too.
        Assert.Matches(@"error: sim: the first ([2-9][0-9]|[1-9][0-9]{2}) answers could not be used and none could " +
            @"\(the last: no JSON object in the answer: ", result.Stderr);
        Assert.Contains("Try structured_output: json_schema or json_object", result.Stderr);
    }

    [Fact]
    public void Grade_ServerRefusingJsonSchema_FallsBackToJsonObject_SaidOnce()
    {
        using var dir = new TempDir();
        var (rubrics, responses) = SimInputs(dir);
        Assert.Equal(0, Grade(dir, rubrics, responses, dir.File("clean.jsonl")).ExitCode);
        var refusing = Grade(dir, rubrics, responses, dir.File("fallback.jsonl"), "--sim-structured", "json-object-only");
        Assert.Equal(0, refusing.ExitCode);
        Assert.Single(refusing.Stderr.Split('\n'), l => l.StartsWith("warning: sim: the server refused response_format json_schema", StringComparison.Ordinal));
        Assert.Equal(Graded(dir.File("clean.jsonl")), Graded(dir.File("fallback.jsonl")));
        // Asked for json_schema and nothing else, the same server fails every call: the run stops.
        var strict = Grade(dir, rubrics, responses, dir.File("strict.jsonl"), "--sim-structured", "json-object-only", "--structured-output", "json_schema",
            "--retries", "0");
        Assert.Equal(1, strict.ExitCode);
        Assert.Matches(@"error: sim: the first [2-9][0-9] calls all failed and none succeeded \(the last: HTTP 400", strict.Stderr);
    }

    [Fact]
    public void ProposeRefineAndEval_MixedDialect_EqualClean()
    {
        using var dir = new TempDir();
        var prompts = dir.File("prompts.jsonl");
        var pool = dir.File("pool.jsonl");
        Assert.Equal(0, CliProcess.Run("sim", "export", "--tasks", "3", "--out", prompts).ExitCode);
        Assert.Equal(0, CliProcess.Run("sample", "--prompts", prompts, "--generators", "sim:sim-great,sim:sim-diverse-2", "--n", "2", "--out", pool,
            "--sim-tasks", "3").ExitCode);
        foreach (var dialect in new[] { "clean", "mixed" })
        {
            var rubrics = dir.File($"rubrics-{dialect}.jsonl");
            Assert.Equal(0, CliProcess.Run("propose", "--prompts", prompts, "--out", rubrics, "--sim-tasks", "3", "--sim-dialect", dialect).ExitCode);
            Assert.Equal(0, CliProcess.Run("refine", "--rubrics", rubrics, "--pool", pool, "--iterations", "2", "--out", dir.File($"run-{dialect}"),
                "--sim-tasks", "3",
                "--cache", dir.File($"refine-{dialect}.sqlite"), "--sim-dialect", dialect).ExitCode);
            Assert.Equal(0, CliProcess.Run("eval", "bon", "--pool", pool, "--rubrics", Path.Combine(dir.File($"run-{dialect}"), "rubrics.jsonl"), "--sim-tasks",
                "3",
                "--gold", "sim", "--cache", dir.File($"eval-{dialect}.sqlite"), "--out", dir.File($"bon-{dialect}.jsonl"), "--sim-dialect", dialect).ExitCode);
        }
        Assert.Equal(File.ReadAllBytes(dir.File("rubrics-clean.jsonl")), File.ReadAllBytes(dir.File("rubrics-mixed.jsonl")));
        Assert.Equal(File.ReadAllBytes(Path.Combine(dir.File("run-clean"), "rubrics.jsonl")),
            File.ReadAllBytes(Path.Combine(dir.File("run-mixed"), "rubrics.jsonl")));
        Assert.Equal(File.ReadAllBytes(dir.File("bon-clean.jsonl")), File.ReadAllBytes(dir.File("bon-mixed.jsonl")));
    }
}
