using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tailmark.Sim.Server;

// The OpenAI chat-completions wire format, as much of it as the simulated server reads and writes.

public sealed record ChatRequestWire(
    [property: JsonPropertyName("model")] string? Model,
    [property: JsonPropertyName("messages")] List<ChatMessageWire>? Messages,
    [property: JsonPropertyName("n")] int? N,
    [property: JsonPropertyName("seed")] long? Seed,
    [property: JsonPropertyName("temperature")] double? Temperature,
    [property: JsonPropertyName("max_tokens")] int? MaxTokens,
    [property: JsonPropertyName("max_completion_tokens")] int? MaxCompletionTokens,
    [property: JsonPropertyName("response_format")] JsonElement? ResponseFormat,
    [property: JsonPropertyName("logprobs")] bool? Logprobs,
    [property: JsonPropertyName("top_logprobs")] int? TopLogprobs,
    [property: JsonPropertyName("stream")] bool? Stream,
    [property: JsonPropertyName("reasoning_effort")] string? ReasoningEffort = null);

/// <summary>A message; content is a string or a list of content parts (only text parts are read).</summary>
public sealed record ChatMessageWire(
    [property: JsonPropertyName("role")] string? Role,
    [property: JsonPropertyName("content")] JsonElement Content)
{
    public string Text => Content.ValueKind switch
    {
        JsonValueKind.String => Content.GetString() ?? "",
        JsonValueKind.Array => string.Concat(Content.EnumerateArray()
            .Where(p => p.ValueKind == JsonValueKind.Object && p.TryGetProperty("text", out _))
            .Select(p => p.GetProperty("text").GetString())),
        _ => "",
    };
}

public sealed record ChatResponseWire(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("model")] string Model,
    [property: JsonPropertyName("system_fingerprint")] string SystemFingerprint,
    [property: JsonPropertyName("choices")] List<ChoiceWire> Choices,
    [property: JsonPropertyName("usage")] UsageWire Usage);

public sealed record ChoiceWire(
    [property: JsonPropertyName("index")] int Index,
    [property: JsonPropertyName("message")] AssistantMessageWire Message,
    [property: JsonPropertyName("logprobs")] LogprobsWire? Logprobs,
    [property: JsonPropertyName("finish_reason")] string FinishReason);

/// <summary>An answer; content is null when the whole budget went to reasoning, as vLLM sends it.</summary>
public sealed record AssistantMessageWire(
    [property: JsonPropertyName("role")] string Role,
    [property: JsonPropertyName("content")] string? Content,
    [property: JsonPropertyName("reasoning_content"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? ReasoningContent = null,
    [property: JsonPropertyName("reasoning"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Reasoning = null);

public sealed record LogprobsWire([property: JsonPropertyName("content")] List<TokenLogprobWire> Content);

public sealed record TokenLogprobWire(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("logprob")] double Logprob,
    [property: JsonPropertyName("bytes")] int[]? Bytes,
    [property: JsonPropertyName("top_logprobs")] List<TopLogprobWire> TopLogprobs);

public sealed record TopLogprobWire(
    [property: JsonPropertyName("token")] string Token,
    [property: JsonPropertyName("logprob")] double Logprob,
    [property: JsonPropertyName("bytes")] int[]? Bytes);

public sealed record UsageWire(
    [property: JsonPropertyName("prompt_tokens")] int PromptTokens,
    [property: JsonPropertyName("completion_tokens")] int CompletionTokens,
    [property: JsonPropertyName("total_tokens")] int TotalTokens,
    [property: JsonPropertyName("prompt_tokens_details")] PromptTokensDetailsWire PromptTokensDetails,
    [property: JsonPropertyName("completion_tokens_details")] CompletionTokensDetailsWire CompletionTokensDetails);

public sealed record PromptTokensDetailsWire([property: JsonPropertyName("cached_tokens")] int CachedTokens);

public sealed record CompletionTokensDetailsWire([property: JsonPropertyName("reasoning_tokens")] int ReasoningTokens);

public sealed record ErrorWire([property: JsonPropertyName("error")] ErrorBodyWire Error);

public sealed record ErrorBodyWire(
    [property: JsonPropertyName("message")] string Message,
    [property: JsonPropertyName("type")] string Type,
    [property: JsonPropertyName("code")] string? Code,
    [property: JsonPropertyName("param"), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Param = null);

public sealed record ModelListWire(
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("data")] List<ModelWire> Data);

public sealed record ModelWire(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("object")] string Object,
    [property: JsonPropertyName("created")] long Created,
    [property: JsonPropertyName("owned_by")] string OwnedBy);

[JsonSerializable(typeof(ChatRequestWire))]
[JsonSerializable(typeof(ChatResponseWire))]
[JsonSerializable(typeof(ErrorWire))]
[JsonSerializable(typeof(ModelListWire))]
[JsonSerializable(typeof(SimStatsWire))]
[JsonSourceGenerationOptions(DefaultIgnoreCondition = JsonIgnoreCondition.Never)]
public sealed partial class SimWireContext : JsonSerializerContext;
