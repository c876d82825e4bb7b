using System.Text.Json;
using Tailmark.Checks.IfEval;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Checks;

/// <summary>Verdict-by-verdict parity with the reference implementation's results on GPT-4's responses.</summary>
public sealed class IfEvalParityTests
{
    /// <summary>
    /// Verdicts the reference itself does not define: the letter_frequency prompts whose "letter" is "#" (1122) and
    /// "!" (1129) make it pick a random letter (tests/data/README.md).
    /// </summary>
    private static readonly HashSet<(string Key, string Instruction)> Undefined =
    [
        ("1122", "keywords:letter_frequency"),
        ("1129", "keywords:letter_frequency"),
    ];

    [Theory]
    [InlineData("strict")]
    [InlineData("loose")]
    public async Task Evaluate_Gpt4Responses_EqualsReferenceVerdicts(string mode)
    {
        var items = await IfEvalInput.ReadItemsAsync(TestPaths.IfEval("input_data.jsonl"));
        var responses = await IfEvalInput.ReadResponsesAsync(TestPaths.IfEval("input_response_data_gpt4_20231107_145030.jsonl"));
        var pairs = IfEvalEvaluator.Match(items, responses, "input", "responses");
        var ours = IfEvalEvaluator.Run(pairs, loose: mode == "loose");
        var reference = File.ReadAllLines(TestPaths.IfEval($"eval_results_{mode}.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();

        Assert.Equal(541, ours.Length);
        Assert.Equal(reference.Count, ours.Length);
        var compared = 0;
        var differences = new List<string>();
        for (var i = 0; i < ours.Length; i++)
        {
            Assert.Equal(reference[i].GetProperty("prompt").GetString(), ours[i].Item.Prompt);
            var expected = reference[i].GetProperty("follow_instruction_list").EnumerateArray().Select(e => e.GetBoolean()).ToArray();
            for (var j = 0; j < expected.Length; j++)
            {
                if (Undefined.Contains((ours[i].Item.Key, ours[i].Item.InstructionIds[j]))) continue;
                compared++;
                if (expected[j] != ours[i].Followed[j])
                {
                    differences.Add($"key {ours[i].Item.Key} {ours[i].Item.InstructionIds[j]}: reference {expected[j]}, ours {ours[i].Followed[j]}");
                }
            }
        }
        Assert.Equal(834 - 2, compared);
        Assert.True(differences.Count == 0, string.Join("\n", differences));
    }

    [Fact]
    public async Task RunBoth_Gpt4Responses_WritesTheReferenceFilesLineForLine()
    {
        // What check ifeval runs: both modes in one pass over the items, spread over the cores.
        var items = await IfEvalInput.ReadItemsAsync(TestPaths.IfEval("input_data.jsonl"));
        var responses = await IfEvalInput.ReadResponsesAsync(TestPaths.IfEval("input_response_data_gpt4_20231107_145030.jsonl"));
        var (strict, loose) = IfEvalEvaluator.RunBoth(IfEvalEvaluator.Match(items, responses, "input", "responses"));
        using var dir = new TempDir();
        foreach (var (mode, ours) in new[] { ("strict", strict), ("loose", loose) })
        {
            var reference = TestPaths.IfEval($"eval_results_{mode}.jsonl");
            // Every line is the reference's (the two random letter_frequency verdicts happen to agree in these files),
            // and the file the command writes is the reference's byte for byte.
            Assert.Equal(File.ReadAllLines(reference), ours.Select(IfEvalResultWriter.Line));
            IfEvalResultWriter.WriteFile(dir.File(mode), ours);
            Assert.Equal(File.ReadAllBytes(reference), File.ReadAllBytes(dir.File(mode)));
        }
    }
}
