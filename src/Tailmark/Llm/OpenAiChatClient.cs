using System.ClientModel;
using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;
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
/// and honour Retry-After. What the endpoint's <see cref="EndpointRequestOptions"/> say is applied here, to every call:
/// a JSON request (<see cref="ChatResponseFormatJson"/>) becomes <c>json_schema</c>, <c>json_object</c> or no
/// <c>response_format</c> by its structured-output mode (with <c>auto</c>'s fallback), <c>reasoning_effort</c> is sent,
/// and the reasoning allowance is added to the output budget. A reasoning field in the answer (<c>reasoning_content</c>,
/// or <c>reasoning</c> as newer vLLM and Ollama name it) becomes <see cref="TextReasoningContent"/>, which is never part
/// of the answer's text.
/// </summary>
public sealed class OpenAiChatClient : IChatClient
{
    private readonly ChatClient _client;
    private readonly EndpointSpec _spec;
    private readonly Action<string>? _notice;

    // The structured output asked for now: the configured mode, or where auto's fallback has got to.
    private int _mode;

    /// <param name="spec">The endpoint.</param>
    /// <param name="notice">Where to say, once, that auto's fallback changed what the endpoint is asked for.</param>
    public OpenAiChatClient(EndpointSpec spec, Action<string>? notice = null)
    {
        _spec = spec;
        _notice = notice;
        _mode = (int)(spec.Request.StructuredOutput == StructuredOutputMode.Auto ? StructuredOutputMode.JsonSchema : spec.Request.StructuredOutput);
        var options = new OpenAIClientOptions
        {
            Endpoint = spec.BaseUrl ?? throw new ArgumentException("the endpoint has no URL", nameof(spec)),
            RetryPolicy = new ClientRetryPolicy(0),
            // The per-attempt timeout is enforced by the resilience pipeline; this is only a backstop.
            NetworkTimeout = spec.Limits.Timeout + TimeSpan.FromSeconds(30),
        };
        _client = new ChatClient(spec.Model, new ApiKeyCredential(string.IsNullOrEmpty(spec.ApiKey) ? "not-needed" : spec.ApiKey), options);
    }

    /// <summary>What a JSON request is sent as now (json_schema, json_object or none): the configured mode, or auto's current step.</summary>
    public StructuredOutputMode StructuredOutputNow => (StructuredOutputMode)Volatile.Read(ref _mode);

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<AiChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var wire = messages.Select(Map).ToList();
        ClientResult<ChatCompletion> result;
        while (true)
        {
            var mode = StructuredOutputNow;
            try
            {
                result = await _client.CompleteChatAsync(wire, Request(options, mode), cancellationToken).ConfigureAwait(false);
                break;
            }
            catch (ClientResultException ex) when (options?.ResponseFormat is ChatResponseFormatJson && _spec.Request.StructuredOutput == StructuredOutputMode.Auto &&
                mode != StructuredOutputMode.None && NamesResponseFormat(ex))
            {
                StepDown(mode, ex);
            }
        }
        ChatCompletion completion = result;
        var text = string.Concat(completion.Content.Select(p => p.Text));
        var message = new AiChatMessage(ChatRole.Assistant, text);
        if (Reasoning(result) is { Length: > 0 } reasoning) message.Contents.Add(new TextReasoningContent(reasoning));
        var response = new ChatResponse(message)
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
                ReasoningTokenCount = completion.Usage?.OutputTokenDetails?.ReasoningTokenCount,
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

    private ChatCompletionOptions Request(ChatOptions? options, StructuredOutputMode mode)
    {
        var request = new ChatCompletionOptions
        {
            Temperature = options?.Temperature,
            MaxOutputTokenCount = options?.MaxOutputTokens is { } budget ? budget + _spec.Request.ReasoningTokens : null,
        };
#pragma warning disable OPENAI001 // Seed and reasoning effort are marked experimental in the SDK; OpenAI-compatible servers accept them.
        request.Seed = options?.Seed;
        if (_spec.Request.ReasoningEffort is { } effort) request.ReasoningEffortLevel = new ChatReasoningEffortLevel(effort);
#pragma warning restore OPENAI001
        if (options?.ResponseFormat is ChatResponseFormatJson json)
        {
            request.ResponseFormat = mode switch
            {
                StructuredOutputMode.JsonSchema when json.Schema is not null => SchemaFormats.GetValue(json, j => OpenAI.Chat.ChatResponseFormat.CreateJsonSchemaFormat(
                    j.SchemaName ?? "answer", BinaryData.FromString(j.Schema!.Value.GetRawText()), j.SchemaDescription, jsonSchemaIsStrict: true)),
                StructuredOutputMode.None => null,
                _ => JsonObjectFormat,
            };
        }
        if (options?.AdditionalProperties?.TryGetValue(ChatOptionKeys.TopLogprobs, out var top) == true && top is int topCount)
        {
            request.IncludeLogProbabilities = true;
            request.TopLogProbabilityCount = topCount;
        }
        return request;
    }

    // The SDK's form of each schema format, made once per format object (callers reuse them: JudgeSchema.Format).
    private static readonly ConditionalWeakTable<ChatResponseFormatJson, OpenAI.Chat.ChatResponseFormat> SchemaFormats = new();
    private static readonly OpenAI.Chat.ChatResponseFormat JsonObjectFormat = OpenAI.Chat.ChatResponseFormat.CreateJsonObjectFormat();

    // Auto's fallback, one step: json_schema → json_object → none. Said once per step, however many calls in flight
    // met the same refusal.
    private void StepDown(StructuredOutputMode from, ClientResultException ex)
    {
        var to = from == StructuredOutputMode.JsonSchema ? StructuredOutputMode.JsonObject : StructuredOutputMode.None;
        if (Interlocked.CompareExchange(ref _mode, (int)to, (int)from) != (int)from) return;
        var said = to == StructuredOutputMode.JsonObject ? "json_object (JSON mode; the schema is left to the prompt)" : "no response_format (plain text)";
        _notice?.Invoke($"{_spec.Name}: the server refused response_format {EndpointRequestOptions.Name(from)} " +
            $"(HTTP {ex.Status}: {Clip(ServerMessage(ex), 200)}); this run asks it for {said} from now on. " +
            $"Set structured_output: {EndpointRequestOptions.Name(to)} for this endpoint to skip the refused call.");
    }

    /// <summary>
    /// Whether an error is a server refusing the response format rather than the request as a whole: a 400, 422, 500 or
    /// 501 whose message names it (vLLM: "… JSON schema contains features not supported by xgrammar", "Grammar error";
    /// llama.cpp and OpenAI name "json_schema" or "response_format"). Some engines answer 500 for a schema they cannot
    /// compile, hence 500.
    /// </summary>
    internal static bool NamesResponseFormat(ClientResultException ex) =>
        ex.Status is 400 or 422 or 500 or 501 && ResponseFormatWords.Any(w => ex.Message.Contains(w, StringComparison.OrdinalIgnoreCase));

    private static readonly string[] ResponseFormatWords =
        ["response_format", "response format", "json_schema", "json schema", "json_object", "schema", "grammar", "guided", "structured output"];

    private static string ServerMessage(ClientResultException ex)
    {
        // The SDK puts the status on the first line, then the parameter at fault and the server's message.
        var lines = ex.Message.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return lines.Length > 1 ? string.Join(' ', lines.Skip(1).Where(l => !l.StartsWith("Parameter:", StringComparison.Ordinal))) : ex.Message;
    }

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..max] + "…";

    // The reasoning field of the first choice, which the SDK keeps only in its JSON patch: reasoning_content (DeepSeek,
    // SGLang, llama.cpp, vLLM before 0.11), else reasoning (vLLM 0.11 and later, Ollama, OpenRouter). Most answers have
    // none: a glance at the raw bytes spares them the patch's path lookups.
    private static string? Reasoning(ClientResult<ChatCompletion> result)
    {
        if (result.GetRawResponse().Content.ToMemory().Span.IndexOf("\"reasoning"u8) < 0) return null;
        ChatCompletion completion = result;
#pragma warning disable SCME0001 // the SDK's JSON patch is marked experimental; it is the documented way to read fields the SDK does not model
        try
        {
            if (completion.Patch.TryGetValue("$.choices[0].message.reasoning_content"u8, out string? content) && !string.IsNullOrEmpty(content)) return content;
            if (completion.Patch.TryGetValue("$.choices[0].message.reasoning"u8, out string? reasoning) && !string.IsNullOrEmpty(reasoning)) return reasoning;
        }
        catch (Exception ex) when (ex is InvalidOperationException or FormatException or KeyNotFoundException)
        {
            // A reasoning field of another shape (an object) is not text to keep.
        }
#pragma warning restore SCME0001
        return null;
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
