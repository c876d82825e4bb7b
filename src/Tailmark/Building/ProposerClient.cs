using System.Collections.Immutable;
using Microsoft.Extensions.AI;
using Tailmark.Llm;
using Tailmark.Rubrics;

namespace Tailmark.Building;

/// <summary>
/// Asks a proposer for criteria: one call, and one repair turn if the answer is unusable. Returns the criteria,
/// or null with the reason (the raw answer included) — callers keep the prompt with a diagnostic, never drop it.
/// </summary>
public sealed class ProposerClient(IChatClient proposer, int seed = 0)
{
    public async Task<(ImmutableArray<Criterion>? Criteria, string? Problem)> AskAsync(string system, string user, CancellationToken cancellationToken = default)
    {
        var messages = new List<ChatMessage> { new(ChatRole.System, system), new(ChatRole.User, user) };
        var options = new ChatOptions { Temperature = 0, Seed = seed, MaxOutputTokens = 2048, ResponseFormat = ChatResponseFormat.Json };
        try
        {
            var answer = await proposer.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            if (ProposalParser.Parse(answer.Text, out var problem) is { } criteria) return (criteria, null);
            messages.Add(new ChatMessage(ChatRole.Assistant, answer.Text));
            messages.Add(new ChatMessage(ChatRole.User, ProposerPrompts.Repair));
            answer = await proposer.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
            if (ProposalParser.Parse(answer.Text, out var again) is { } repaired) return (repaired, null);
            return (null, $"proposal unusable after one repair ({again ?? problem}): {Clip(answer.Text)}");
        }
        catch (LlmCallException ex)
        {
            return (null, $"proposer error: {ex.Message}");
        }
    }

    private static string Clip(string s) => s.Length <= 500 ? s : s[..500] + "…";
}
