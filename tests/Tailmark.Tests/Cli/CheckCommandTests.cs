using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Cli;

[Trait("Tier", "Integration")]
public sealed class CheckCommandTests
{
    [Fact]
    public void IfEval_Gpt4Responses_WritesBothFilesAndPrintsAccuracies()
    {
        using var dir = new TempDir();
        var result = CliProcess.Run("check", "ifeval", "--input", TestPaths.IfEval("input_data.jsonl"),
            "--responses", TestPaths.IfEval("input_response_data_gpt4_20231107_145030.jsonl"), "--out", dir.Path);
        Assert.Equal(0, result.ExitCode);
        foreach (var mode in new[] { "strict", "loose" })
        {
            var ours = File.ReadAllLines(dir.File($"eval_results_{mode}.jsonl"));
            var reference = File.ReadAllLines(TestPaths.IfEval($"eval_results_{mode}.jsonl"));
            Assert.Equal(reference.Length, ours.Length);
            // Accuracies recomputed from our own file must be what the command printed.
            var rows = ours.Select(l => JsonDocument.Parse(l).RootElement).ToList();
            var prompt = rows.Count(r => r.GetProperty("follow_all_instructions").GetBoolean()) / (double)rows.Count;
            var flags = rows.SelectMany(r => r.GetProperty("follow_instruction_list").EnumerateArray()).ToList();
            var instruction = flags.Count(f => f.GetBoolean()) / (double)flags.Count;
            var line = Regex.Match(result.Stdout, $@"{mode}\s*│\s*([0-9.]+)\s*│\s*([0-9.]+)");
            Assert.True(line.Success, result.Stdout);
            Assert.Equal(prompt, double.Parse(line.Groups[1].Value, CultureInfo.InvariantCulture), 6);
            Assert.Equal(instruction, double.Parse(line.Groups[2].Value, CultureInfo.InvariantCulture), 6);
            // Within the undefined verdicts (4 instructions, 4 prompts) of the reference's accuracies.
            var (refPrompt, refInstruction) = mode == "strict" ? (0.770795, 0.836930) : (0.794824, 0.854916);
            Assert.InRange(prompt, refPrompt - 4.0 / 541, refPrompt + 4.0 / 541);
            Assert.InRange(instruction, refInstruction - 4.0 / 834, refInstruction + 4.0 / 834);
        }
        Assert.Contains("keywords:letter_frequency", result.Stdout);
    }

    [Fact]
    public void IfEval_BadInput_NamesKeyLineAndFieldAndExitsOne()
    {
        using var dir = new TempDir();
        var input = dir.Write("in.jsonl", string.Join("\n",
            """{"key": 1, "prompt": "P1", "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}""",
            """{"key": 2, "prompt": "P2", "instruction_id_list": ["keywords:teleport"], "kwargs": [{}]}""",
            """{"key": 3, "prompt": "P3", "instruction_id_list": ["length_constraints:number_words"], "kwargs": [{"num_words": "many", "relation": "at least"}]}""",
            """{"key": 4, "prompt": "P4", "instruction_id_list": ["detectable_format:number_bullet_lists"], "kwargs": [{}]}""") + "\n");
        var responses = dir.Write("r.jsonl", """{"prompt": "P1", "response": "no commas here"}""" + "\n");
        var result = CliProcess.Run("check", "ifeval", "--input", input, "--responses", responses, "--out", dir.File("out"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{input}:2: error: instruction_id_list[0]: unknown instruction id \"keywords:teleport\"", result.Stderr);
        Assert.Contains($"{input}:3: error: kwargs[0].num_words: expected an integer", result.Stderr);
        Assert.Contains($"{input}:4: error: kwargs[0].num_bullets: missing parameter", result.Stderr);
    }

    [Fact]
    public void IfEval_ResponsesLackAPrompt_NamesTheKeyAndExitsOne()
    {
        using var dir = new TempDir();
        var input = dir.Write("in.jsonl", string.Join("\n",
            """{"key": 11, "prompt": "P1", "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}""",
            """{"key": 12, "prompt": "P2", "instruction_id_list": ["punctuation:no_comma"], "kwargs": [{}]}""") + "\n");
        var responses = dir.Write("r.jsonl", """{"prompt": "P1", "response": "fine"}""" + "\n");
        var result = CliProcess.Run("check", "ifeval", "--input", input, "--responses", responses, "--out", dir.File("out"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{input}:2: error: prompt: no response for key 12", result.Stderr);
        Assert.False(Directory.Exists(dir.File("out")));
    }

    [Fact]
    public void Validate_VerifiableCriterionWithBadParameters_IsReported()
    {
        using var dir = new TempDir();
        var path = dir.Write("r.jsonl", """{"rubric_id": "r", "criteria": [{"id": "len", "text": "Short", "check": {"type": "length_constraints:number_words", "num_words": 100}}]}""" + "\n");
        var result = CliProcess.Run("validate", path);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{path}:1: error: criteria[0].check.relation: missing parameter", result.Stdout);
    }

    [Fact]
    public void Score_WithResponses_RunsVerifiableCriteriaAndDefenseVeto()
    {
        using var dir = new TempDir();
        var rubrics = dir.Write("r.jsonl", """{"rubric_id": "r", "criteria": [{"id": "a", "text": "Answers", "weight": 2}, {"id": "short", "text": "Under 20 words", "weight": 1, "check": {"type": "length_constraints:number_words", "num_words": 20, "relation": "less than"}}]}""" + "\n");
        var verdicts = dir.Write("v.jsonl", string.Join("\n",
            """{"prompt_id": "p", "response_id": "plain", "rubric_id": "r", "verdicts": {"a": "met", "defense.addresses_grader": "not_met"}}""",
            """{"prompt_id": "p", "response_id": "flattery", "rubric_id": "r", "verdicts": {"a": "met", "defense.addresses_grader": "not_met"}}""") + "\n");
        var responses = dir.Write("s.jsonl", string.Join("\n",
            """{"prompt_id": "p", "response_id": "plain", "response": "Paris is the capital of France."}""",
            """{"prompt_id": "p", "response_id": "flattery", "response": "What a great question! Paris is the capital of France."}""") + "\n");
        var output = dir.File("g.jsonl");
        var result = CliProcess.Run("score", "--rubrics", rubrics, "--verdicts", verdicts, "--responses", responses, "--defense", "veto", "--out", output);
        Assert.Equal(0, result.ExitCode);
        var rows = File.ReadAllLines(output).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        Assert.Equal(1.0, rows[0].GetProperty("reward").GetDouble()); // (2 + 1) / 3; no defense pattern
        Assert.Equal("met", rows[0].GetProperty("verdicts").GetProperty("short").GetProperty("status").GetString());
        Assert.Equal(0.0, rows[1].GetProperty("reward").GetDouble()); // opens by praising the question: vetoed
        Assert.Equal("defense.prefatory_praise", rows[1].GetProperty("breakdown").GetProperty("vetoed_by").GetString());
    }
}
