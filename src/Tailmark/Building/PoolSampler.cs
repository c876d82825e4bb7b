using Microsoft.Extensions.AI;
using Tailmark.Io;
using Tailmark.Llm;
using Tailmark.Rubrics;

namespace Tailmark.Building;

/// <summary>
/// Collects candidate responses from a generator endpoint: sample i of a prompt is asked with seed
/// <c>firstSeed + i</c>, so a rerun asks the same questions and a resumed run can skip what it has. Failed samples
/// are reported, not dropped silently.
/// </summary>
public static class PoolSampler
{
    public sealed record Sample(ResponseRow? Row, string? Failure);

    public static async Task<Sample> SampleAsync(IChatClient generator, string generatorName, PromptRow prompt, int index, int firstSeed = 0,
        CancellationToken cancellationToken = default)
    {
        var messages = prompt.Prompt.AsMessages().Select(m => new ChatMessage(m.Role switch
        {
            "system" => ChatRole.System,
            "assistant" => ChatRole.Assistant,
            _ => ChatRole.User,
        }, m.Content)).ToList();
        try
        {
            var answer = await generator.GetResponseAsync(messages, new ChatOptions { Temperature = 1, Seed = firstSeed + index, MaxOutputTokens = 2048 },
                cancellationToken).ConfigureAwait(false);
            if (string.IsNullOrWhiteSpace(answer.Text)) return new Sample(null, "empty response");
            var extra = answer.FinishReason == ChatFinishReason.Length
                ? JsonMaps.Empty.Add("truncated", System.Text.Json.JsonSerializer.SerializeToElement(true, Building.BoolContext.Default.Boolean))
                : JsonMaps.Empty;
            return new Sample(new ResponseRow(prompt.PromptId, ResponseId(generatorName, index), answer.Text, generatorName, extra), null);
        }
        catch (LlmCallException ex)
        {
            return new Sample(null, ex.Message);
        }
    }

    public static string ResponseId(string generator, int index) => $"{generator}-{index}";
}
