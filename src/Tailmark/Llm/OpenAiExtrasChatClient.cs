using Microsoft.Extensions.AI;
using ChatCompletion = OpenAI.Chat.ChatCompletion;
using ChatReasoningEffortLevel = OpenAI.Chat.ChatReasoningEffortLevel;

namespace Tailmark.Llm;

/// <summary>
/// What Microsoft.Extensions.AI's OpenAI adapter leaves out, for the servers Tailmark meets: log probabilities (asked
/// with <see cref="ChatOptionKeys.TopLogprobs"/>, returned under <see cref="ChatOptionKeys.Logprobs"/>); the endpoint's
/// <c>reasoning_effort</c> as the word configured (the abstraction knows only a fixed set); the endpoint's reasoning
/// allowance, added to the caller's output budget; and the reasoning field under either name — the adapter reads
/// <c>reasoning_content</c> (DeepSeek, SGLang, llama.cpp, vLLM before 0.11) but not <c>reasoning</c> (vLLM 0.11 and later,
/// Ollama, OpenRouter), and keeps an empty one. Reasoning becomes <see cref="TextReasoningContent"/>, never part of the
/// answer's text.
/// </summary>
public sealed class OpenAiExtrasChatClient(IChatClient inner, EndpointSpec spec) : DelegatingChatClient(inner)
{
    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var mentionsReasoning = ReasoningFieldProbe.Watch();
        var response = await base.GetResponseAsync(messages, Request(options), cancellationToken).ConfigureAwait(false);
        if (response.RawRepresentation is ChatCompletion completion)
        {
            // Unknown (an SDK client without the probe): look.
            if (mentionsReasoning.Value != false) KeepReasoning(response, completion);
            if (completion.ContentTokenLogProbabilities is { Count: > 0 } logprobs)
            {
                (response.AdditionalProperties ??= [])[ChatOptionKeys.Logprobs] = logprobs.Select(l => new TokenLogprob(l.Token, l.LogProbability,
                    [.. l.TopLogProbabilities.Select(t => (t.Token, (double)t.LogProbability))])).ToList();
            }
        }
        return response;
    }

    private ChatOptions? Request(ChatOptions? options)
    {
        var allowance = spec.Request.ReasoningTokens;
        var effort = spec.Request.ReasoningEffort;
        var top = options?.AdditionalProperties?.TryGetValue(ChatOptionKeys.TopLogprobs, out var t) == true && t is int count ? count : (int?)null;
        if ((allowance == 0 || options?.MaxOutputTokens is null) && effort is null && top is null) return options;
        return SdkRequest.With(options, request =>
        {
            if (options?.MaxOutputTokens is { } budget) request.MaxOutputTokenCount = budget + allowance;
#pragma warning disable OPENAI001 // reasoning effort is marked experimental in the SDK; OpenAI-compatible servers accept it
            if (effort is not null) request.ReasoningEffortLevel = new ChatReasoningEffortLevel(effort);
#pragma warning restore OPENAI001
            if (top is { } n)
            {
                request.IncludeLogProbabilities = true;
                request.TopLogProbabilityCount = n;
            }
        });
    }

    // The adapter's reasoning_content, unless empty; else the reasoning field, which the SDK keeps only in its JSON patch.
    private static void KeepReasoning(ChatResponse response, ChatCompletion completion)
    {
        if (response.Messages.Count == 0) return;
        var contents = response.Messages[^1].Contents;
        var found = false;
        for (var i = contents.Count - 1; i >= 0; i--)
        {
            if (contents[i] is not TextReasoningContent r) continue;
            if (string.IsNullOrEmpty(r.Text)) contents.RemoveAt(i);
            else found = true;
        }
        if (!found && ReasoningField(completion) is { Length: > 0 } reasoning) contents.Add(new TextReasoningContent(reasoning));
    }

    private static string? ReasoningField(ChatCompletion completion)
    {
#pragma warning disable SCME0001 // the SDK's JSON patch is marked experimental; it is the documented way to read fields the SDK does not model
        try
        {
            return completion.Patch.TryGetValue("$.choices[0].message.reasoning"u8, out string? reasoning) ? reasoning : null;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or KeyNotFoundException)
        {
            // A reasoning field of another shape (an object) is not text to keep.
            return null;
        }
#pragma warning restore SCME0001
    }
}
