using System.Text.Json;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Cli;

/// <summary>
/// `eval bon` and `select` through the real CLI, on rubrics of verifiable criteria only (no judge call), so every
/// number can be worked out by hand.
/// </summary>
[Trait("Tier", "Integration")]
public sealed class EvalCommandsTests
{
    private static string Rubric(string prompt) =>
        $$$"""{"rubric_id": "{{{prompt}}}", "prompt_id": "{{{prompt}}}", "prompt": "Say hi to {{{prompt}}}.", "criteria": [{"id": "c1", "text": "Uses no comma.", "check": {"type": "punctuation:no_comma"}}]}""";

    [Fact]
    public void EvalBon_TwoResponses_ExactCurveByHand()
    {
        using var dir = new TempDir();
        var rubrics = dir.Write("rubrics.jsonl", Rubric("p1") + "\n");
        // Proxy: "a" has no comma (1), "b" has one (0). Gold runs the other way.
        var pool = dir.Write("pool.jsonl", """
            {"prompt_id": "p1", "response_id": "a", "response": "Hi there.", "gold": 0.2}
            {"prompt_id": "p1", "response_id": "b", "response": "Hi, there.", "gold": 0.9}
            """);
        var result = CliProcess.Run("eval", "bon", "--pool", pool, "--rubrics", rubrics, "--cache", dir.File("c.sqlite"), "--out", dir.File("bon.jsonl"));
        Assert.True(result.ExitCode == 0, result.All);
        var rows = File.ReadAllLines(dir.File("bon.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(2, rows.Count);
        // n = 1: a uniform draw. n = 2: the pick is "a" unless both draws are "b" (probability 1/4).
        Assert.Equal((1, 0.0, 0.5, 0.55),
            (rows[0].GetProperty("n").GetInt32(), rows[0].GetProperty("kl").GetDouble(), rows[0].GetProperty("proxy").GetDouble(),
                rows[0].GetProperty("gold").GetDouble()));
        Assert.Equal(Math.Log(2) - 0.5, rows[1].GetProperty("kl").GetDouble(), 12);
        Assert.Equal(0.75, rows[1].GetProperty("proxy").GetDouble(), 12);
        Assert.Equal(0.75 * 0.2 + 0.25 * 0.9, rows[1].GetProperty("gold").GetDouble(), 12);
    }

    [Fact]
    public void Select_KeepsThePromptsInTheCentralBand_AndSaysWhyTheOthersWent()
    {
        using var dir = new TempDir();
        var rubrics = dir.Write("rubrics.jsonl", string.Join("\n", new[] { "p1", "p2", "p3" }.Select(Rubric)) + "\n");
        // Mean scores: p1 0 (both responses use a comma), p2 0.5, p3 1. Quantiles 0.25 and 0.75 of [0, 0.5, 1] are 0.25 and 0.75.
        var pool = dir.Write("pool.jsonl", """
            {"prompt_id": "p1", "response_id": "1", "response": "Hi, you."}
            {"prompt_id": "p1", "response_id": "2", "response": "Well, hi."}
            {"prompt_id": "p2", "response_id": "1", "response": "Hi you."}
            {"prompt_id": "p2", "response_id": "2", "response": "Well, hi."}
            {"prompt_id": "p3", "response_id": "1", "response": "Hi you."}
            {"prompt_id": "p3", "response_id": "2", "response": "Hello."}
            """);
        var result = CliProcess.Run("select", "--pool", pool, "--rubrics", rubrics, "--band", "0.25,0.75", "--cache", dir.File("c.sqlite"), "--out",
            dir.File("sel.jsonl"));
        Assert.True(result.ExitCode == 0, result.All);
        var decisions = File.ReadAllLines(dir.File("sel.jsonl")).Select(l => JsonDocument.Parse(l).RootElement)
            .ToDictionary(d => d.GetProperty("prompt_id").GetString()!, d =>
                (Keep: d.GetProperty("keep").GetBoolean(), Mean: d.GetProperty("mean").GetDouble()));
        Assert.Equal((false, 0.0), decisions["p1"]);
        Assert.Equal((true, 0.5), decisions["p2"]);
        Assert.Equal((false, 1.0), decisions["p3"]);
        var usage = CliProcess.Run("select", "--pool", pool, "--rubrics", rubrics, "--band", "0.9,0.1");
        Assert.Equal(2, usage.ExitCode);
        Assert.Contains("--band must be LOW,HIGH", usage.Stderr);
    }
}
