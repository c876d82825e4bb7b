using System.Collections.Immutable;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Tailmark.Judging;
using Tailmark.Llm;
using Tailmark.Rubrics;

namespace Tailmark.Building;

/// <summary>
/// Asks a proposer for criteria: one call for the rubric's JSON schema, and one repair turn if the answer is unusable.
/// Returns the criteria, or null with the reason (the raw answer clipped) — callers keep the prompt with a diagnostic,
/// never drop it. Each outcome is reported to the endpoint (<see cref="EndpointChatClientExtensions.NoteAnswer"/>), so a
/// proposer whose answers are never usable stops a batch job.
/// </summary>
public sealed class ProposerClient(IChatClient proposer, int seed = 0)
{
    /// <summary>Output budget of a proposal (the endpoint's reasoning allowance is added by its client).</summary>
    public const int OutputBudget = 2048;

    /// <summary>
    /// The schema of a proposal: <c>{"criteria": [{"text": string, "weight": one of −3, −2, −1, 1, 2, 3}]}</c>, strict
    /// (every property required, no others).
    /// </summary>
    public static readonly JsonElement Schema = JsonDocument.Parse("""
        {"type": "object", "properties": {"criteria": {"type": "array", "items": {"type": "object",
          "properties": {"text": {"type": "string"}, "weight": {"type": "integer", "enum": [-3, -2, -1, 1, 2, 3]}},
          "required": ["text", "weight"], "additionalProperties": false}}},
         "required": ["criteria"], "additionalProperties": false}
        """).RootElement.Clone();

    // After Schema: static fields are initialised in the order they are written.
    private static readonly ChatResponseFormat Format = ChatResponseFormat.ForJsonSchema(Schema, "rubric");

    public async Task<(ImmutableArray<Criterion>? Criteria, string? Problem)> AskAsync(string system, string user,
        CancellationToken cancellationToken = default)
    {
        var messages = new List<ChatMessage> { new(ChatRole.System, system), new(ChatRole.User, user) };
        var options = new ChatOptions
        {
            Temperature = 0,
            Seed = seed,
            MaxOutputTokens = OutputBudget,
            ResponseFormat = Format,
        };
        try
        {
            var answer = await proposer.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            if (Parse(answer, out var problem) is { } criteria)
            {
                proposer.NoteAnswer(true);
                return (criteria, null);
            }
            messages.Add(new ChatMessage(ChatRole.Assistant, answer.Text));
            messages.Add(new ChatMessage(ChatRole.User, ProposerPrompts.Repair));
            answer = await proposer.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            if (Parse(answer, out var again) is { } repaired)
            {
                proposer.NoteAnswer(true);
                return (repaired, null);
            }
            var reason = $"proposal unusable after one repair ({again ?? problem}): {JudgeVerdictParser.ClipAnswer(answer.Text, 150, 350)}";
            // Throws EndpointUnusableException once the proposer has answered unusably often enough, with none usable.
            proposer.NoteAnswer(false, reason);
            return (null, reason);
        }
        catch (LlmCallException ex)
        {
            return (null, $"proposer error: {ex.Message}");
        }
    }

    private static ImmutableArray<Criterion>? Parse(ChatResponse answer, out string? problem) =>
        ProposalParser.Parse(answer.Text, out problem, answer.FinishReason == ChatFinishReason.Length);
}
