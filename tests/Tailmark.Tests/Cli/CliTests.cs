using System.Text.Json;
using Tailmark.Tests.Rubrics;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Cli;

/// <summary>The real CLI process: exit codes, messages and files.</summary>
[Trait("Tier", "Integration")]
public sealed class CliTests
{
    [Fact]
    public void Validate_PlantedErrors_ListsEachAndExitsOne()
    {
        using var dir = new TempDir();
        var path = dir.Write("bad.jsonl", string.Join("\n", ValidationTests.PlantedLines) + "\n");
        var result = CliProcess.Run("validate", path);
        Assert.Equal(1, result.ExitCode);
        foreach (var expected in new[]
        {
            $"{path}:2: error: criteria[1].id: duplicate criterion id",
            $"{path}:3: error: criteria[0].weight: weight is NaN",
            $"{path}:4: error: criteria[0].weight: weight is infinite",
            $"{path}:5: error: criteria[0].text: criterion text is empty",
            $"{path}:6: error: criteria: rubric has no criteria",
            $"{path}:7: error: criteria[0].scale.levels[1].value: levels out of order",
            $"{path}:8: error: criteria[0].check.type: unknown check type",
            $"{path}:9: warning: colour: unknown field",
            $"{path}:10: error: malformed JSON",
        })
        {
            Assert.Contains(expected, result.Stdout);
        }
        Assert.DoesNotContain("   at ", result.All); // no stack trace
    }

    [Fact]
    public void Validate_CleanFile_ExitsZero()
    {
        using var dir = new TempDir();
        var path = dir.Write("good.jsonl", ValidationTests.PlantedLines[0] + "\n");
        var result = CliProcess.Run("validate", path);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("1 rubric(s), 0 error(s)", result.Stdout);
    }

    [Fact]
    public void Validate_MissingFile_ExitsOneWithMessage()
    {
        var result = CliProcess.Run("validate", "/nonexistent/rubrics.jsonl");
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("file not found", result.All);
    }

    [Theory]
    [InlineData("validate")]
    [InlineData("convert", "x.jsonl")]
    [InlineData("score", "--rubrics", "r.jsonl")]
    [InlineData("no-such-command")]
    [InlineData("convert", "x.jsonl", "--out", "y.jsonl", "--to", "klingon")]
    public void BadUsage_ExitsTwo(params string[] args)
    {
        using var dir = new TempDir();
        File.WriteAllText(Path.Combine(dir.Path, "x.jsonl"), ValidationTests.PlantedLines[0] + "\n");
        var result = CliProcess.RunIn(dir.Path, args);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("error", result.Stderr);
    }

    [Theory]
    [InlineData("convert")]
    [InlineData("validate")]
    [InlineData("score")]
    [InlineData("stats")]
    [InlineData("report")]
    public void Help_EveryCommand_DescribesEveryOption(string command)
    {
        var result = CliProcess.Run(command, "--help");
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("Usage:", result.Stdout);
        Assert.Contains("Options:", result.Stdout);
    }

    [Fact]
    public void Convert_HealthBenchRoundTrip_ThroughTheCli()
    {
        using var dir = new TempDir();
        var native = dir.File("native.jsonl");
        var back = dir.File("back.jsonl");
        Assert.Equal(0, CliProcess.Run("convert", TestPaths.HealthBench, "--from", "healthbench", "--to", "tailmark", "--out", native).ExitCode);
        Assert.Equal(0, CliProcess.Run("convert", native, "--to", "healthbench", "--out", back).ExitCode);
        var a = File.ReadAllLines(TestPaths.HealthBench).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var b = File.ReadAllLines(back).Where(l => l.Length > 0).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(a.Count, b.Count);
        Assert.All(a.Zip(b), p => Assert.True(JsonElement.DeepEquals(p.First, p.Second)));
    }

    [Fact]
    public void Score_VerdictsFile_ReportsBadRowsAndLeavesTheOutputAsItWas()
    {
        using var dir = new TempDir();
        var rubrics = dir.Write("r.jsonl", """{"rubric_id": "r1", "criteria": [{"id": "a", "text": "A", "weight": 3}, {"id": "b", "text": "B", "weight": 2}, {"id": "c", "text": "C", "weight": -2}]}""" + "\n");
        string[] good =
        [
            """{"prompt_id": "p", "response_id": "x", "rubric_id": "r1", "verdicts": {"a": "met", "b": "not_met", "c": {"status": "met"}}}""",
            """{"prompt_id": "p", "response_id": "y", "rubric_id": "r1", "verdicts": {"a": "met", "b": {"status": "cannot_assess", "reason": "judge timeout"}, "c": "not_met"}}""",
        ];
        var verdicts = dir.Write("v.jsonl", string.Join("\n", [.. good,
            """{"prompt_id": "p", "response_id": "z", "rubric_id": "nope", "verdicts": {}}""",
            """{"prompt_id": "p", "response_id": "w", "rubric_id": "r1", "verdicts": {"a": "maybe"}}"""]) + "\n");
        var output = dir.Write("graded.jsonl", "yesterday's rows\n");
        var result = CliProcess.Run("score", "--rubrics", rubrics, "--verdicts", verdicts, "--out", output);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{verdicts}:3: error: rubric_id: no rubric with id \"nope\"", result.Stderr);
        Assert.Contains($"{verdicts}:4: error: verdicts.a: unknown verdict \"maybe\"", result.Stderr);
        Assert.Contains($"{output} was left as it was", result.Stderr);
        Assert.Equal("yesterday's rows\n", File.ReadAllText(output));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp-*"));

        // The good rows alone: y has 5 of its 7 judged weight assessed (a 3, c 2), under the default share of 0.75.
        dir.Write("v.jsonl", string.Join("\n", good) + "\n");
        Assert.Equal(0, CliProcess.Run("score", "--rubrics", rubrics, "--verdicts", verdicts, "--out", output).ExitCode);
        var rows = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, rows.Count);
        Assert.Equal(0.2, rows[0].GetProperty("reward").GetDouble(), 12);      // (3 − 2) / 5
        Assert.Equal(JsonValueKind.Null, rows[1].GetProperty("reward").ValueKind);
        Assert.Contains(rows[1].GetProperty("diagnostics").EnumerateArray(), d =>
            d.GetProperty("message").GetString() == "only 5 of 7 judged weight got a verdict; at least 75% is required");
        Assert.Equal("judge timeout", rows[1].GetProperty("verdicts").GetProperty("b").GetProperty("reason").GetString());

        // A lower share on the command line: b is skipped, 3 / 3.
        Assert.Equal(0, CliProcess.Run("score", "--rubrics", rubrics, "--verdicts", verdicts, "--min-judged-coverage", "0.7", "--out", output).ExitCode);
        var lenient = JsonDocument.Parse(File.ReadAllLines(output)[1]).RootElement;
        Assert.Equal(1.0, lenient.GetProperty("reward").GetDouble(), 12);
        Assert.Contains(lenient.GetProperty("diagnostics").EnumerateArray(), d => d.GetProperty("code").GetString() == "cannot_assess");
    }

    [Fact]
    public void Score_HealthBenchPresetWithDefense_LayersAndReportsRunMean()
    {
        using var dir = new TempDir();
        var rubrics = dir.Write("r.jsonl", """{"rubric_id": "r1", "criteria": [{"id": "a", "text": "A", "weight": 2}, {"id": "c", "text": "C", "weight": -6}]}""" + "\n");
        var verdicts = dir.Write("v.jsonl",
            """{"prompt_id": "p", "response_id": "x", "rubric_id": "r1", "verdicts": {"a": "not_met", "c": "met", "defense.prefatory_praise": "not_met", "defense.self_praise": "not_met", "defense.addresses_grader": "not_met"}}""" + "\n");
        var output = dir.File("graded.jsonl");
        var result = CliProcess.Run("score", "--rubrics", rubrics, "--verdicts", verdicts, "--scoring", "healthbench", "--defense", "penalty", "--out", output);
        Assert.Equal(0, result.ExitCode);
        var row = JsonDocument.Parse(File.ReadAllText(output)).RootElement;
        Assert.Equal(-3, row.GetProperty("reward").GetDouble()); // −6 / 2, unclipped per example
        Assert.Equal(5, row.GetProperty("breakdown").GetProperty("criteria").GetArrayLength()); // 2 own + 3 defense
        Assert.Matches(@"mean reward \(clipped to \[0,1\]\)\s*│\s*0\s", result.Stdout);
    }

    [Fact]
    public void Score_UnknownDefenseMode_IsAUsageError()
    {
        using var dir = new TempDir();
        var rubrics = dir.Write("r.jsonl", """{"rubric_id": "r1", "criteria": [{"id": "a", "text": "A", "weight": 2}]}""" + "\n");
        var verdicts = dir.Write("v.jsonl", """{"prompt_id": "p", "response_id": "x", "rubric_id": "r1", "verdicts": {"a": "met"}}""" + "\n");
        var result = CliProcess.Run("score", "--rubrics", rubrics, "--verdicts", verdicts, "--defense", "strict", "--out", dir.File("graded.jsonl"));
        Assert.Equal(2, result.ExitCode);
        Assert.Contains("--defense must be off, veto or penalty, not 'strict'", result.Stderr);
    }

    [Fact]
    public void Score_ScoringFile_WithBadValue_NamesFieldAndLine()
    {
        using var dir = new TempDir();
        var scoring = dir.Write("s.yaml", "preset: rubicon\nnormalization: sideways\n");
        var rubrics = dir.Write("r.jsonl", ValidationTests.PlantedLines[0] + "\n");
        var verdicts = dir.Write("v.jsonl", "");
        var result = CliProcess.Run("score", "--rubrics", rubrics, "--verdicts", verdicts, "--scoring", scoring, "--out", dir.File("o.jsonl"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{scoring}:2: error: normalization: unknown value \"sideways\"", result.Stderr);
    }

    [Fact]
    public void Stats_HealthBench_PrintsCountsAndWeights()
    {
        var result = CliProcess.Run("stats", "--format", "healthbench", TestPaths.HealthBench);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("352", result.Stdout);
        Assert.Contains("pitfall 102", result.Stdout);
    }
}
