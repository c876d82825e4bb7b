using System.ClientModel;
using System.ClientModel.Primitives;
using Microsoft.Extensions.AI;
using OpenAI;
using OpenAI.Chat;
using AiChatMessage = Microsoft.Extensions.AI.ChatMessage;
using AiChatResponseFormat = Microsoft.Extensions.AI.ChatResponseFormat;
using OpenAiChatMessage = OpenAI.Chat.ChatMessage;

namespace Tailmark.Llm;

/// <summary>
/// <see cref="IChatClient"/> over the official OpenAI .NET SDK, pointed at any OpenAI-compatible endpoint. The
/// SDK's own retries are off: <see cref="ResilientChatClient"/> owns retries so that they are bounded, counted
/// and honour Retry-After.
/// </summary>
public sealed class OpenAiChatClient : IChatClient
{
    private readonly ChatClient _client;
    private readonly EndpointSpec _spec;

    public OpenAiChatClient(EndpointSpec spec)
    {
        _spec = spec;
        var options = new OpenAIClientOptions
        {
            Endpoint = spec.BaseUrl ?? throw new ArgumentException("the endpoint has no URL", nameof(spec)),
            RetryPolicy = new ClientRetryPolicy(0),
            // The per-attempt timeout is enforced by the resilience pipeline; this is only a backstop.
            NetworkTimeout = spec.Limits.Timeout + TimeSpan.FromSeconds(30),
        };
        _client = new ChatClient(spec.Model, new ApiKeyCredential(string.IsNullOrEmpty(spec.ApiKey) ? "not-needed" : spec.ApiKey), options);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var request = new ChatCompletionOptions
        {
            Temperature = options?.Temperature,
            MaxOutputTokenCount = options?.MaxOutputTokens,
        };
#pragma warning disable OPENAI001 // Seed is marked experimental in the SDK; OpenAI-compatible servers accept it.
        request.Seed = options?.Seed;
#pragma warning restore OPENAI001
        if (options?.ResponseFormat is ChatResponseFormatJson) request.ResponseFormat = OpenAI.Chat.ChatResponseFormat.CreateJsonObjectFormat();
        if (options?.AdditionalProperties?.TryGetValue(ChatOptionKeys.TopLogprobs, out var top) == true && top is int topCount)
        {
            request.IncludeLogProbabilities = true;
            request.TopLogProbabilityCount = topCount;
        }
        ChatCompletion completion = await _client.CompleteChatAsync(messages.Select(Map), request, cancellationToken).ConfigureAwait(false);
        var text = string.Concat(completion.Content.Select(p => p.Text));
        var response = new ChatResponse(new AiChatMessage(ChatRole.Assistant, text))
        {
            ModelId = completion.Model,
            ResponseId = completion.Id,
            FinishReason = completion.FinishReason switch
            {
                OpenAI.Chat.ChatFinishReason.Length => Microsoft.Extensions.AI.ChatFinishReason.Length,
                OpenAI.Chat.ChatFinishReason.ContentFilter => Microsoft.Extensions.AI.ChatFinishReason.ContentFilter,
                _ => Microsoft.Extensions.AI.ChatFinishReason.Stop,
            },
            Usage = new UsageDetails
            {
                InputTokenCount = completion.Usage?.InputTokenCount,
                OutputTokenCount = completion.Usage?.OutputTokenCount,
                TotalTokenCount = completion.Usage?.TotalTokenCount,
                CachedInputTokenCount = completion.Usage?.InputTokenDetails?.CachedTokenCount,
            },
            RawRepresentation = completion,
        };
        if (completion.ContentTokenLogProbabilities is { Count: > 0 } logprobs)
        {
            response.AdditionalProperties = new AdditionalPropertiesDictionary
            {
                [ChatOptionKeys.Logprobs] = logprobs.Select(l => new TokenLogprob(l.Token, l.LogProbability,
                    [.. l.TopLogProbabilities.Select(t => (t.Token, (double)t.LogProbability))])).ToList(),
            };
        }
        return response;
    }

    private static OpenAiChatMessage Map(AiChatMessage m)
    {
        var text = m.Text;
        if (m.Role == ChatRole.System) return new SystemChatMessage(text);
        if (m.Role == ChatRole.Assistant) return new AssistantChatMessage(text);
        return new UserChatMessage(text);
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Tailmark does not stream judge or proposer answers");

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceType == typeof(EndpointSpec) ? _spec : serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
        // The SDK's client holds no disposable state of its own.
    }
}
