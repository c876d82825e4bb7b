using System.Globalization;

namespace Tailmark.Llm;

/// <summary>
/// How an endpoint is asked, beyond the prompt: the structured output it is asked for, the reasoning effort passed
/// through as <c>reasoning_effort</c> (null: not sent), and the tokens allowed for reasoning on every call, added to the
/// caller's output budget (a reasoning model spends its budget on thinking before it answers).
/// </summary>
public sealed record EndpointRequestOptions
{
    public static readonly EndpointRequestOptions Default = new();

    public StructuredOutputMode StructuredOutput { get; init; } = StructuredOutputMode.Auto;

    public string? ReasoningEffort { get; init; }

    public int ReasoningTokens { get; init; }

    /// <summary>The settings as text, for cache keys: they change what a model answers.</summary>
    public string CacheText => $"{StructuredOutput}|{ReasoningEffort ?? "-"}|{ReasoningTokens.ToString(CultureInfo.InvariantCulture)}";

    /// <summary>Reads <c>auto</c>, <c>json_schema</c>, <c>json_object</c> or <c>none</c>; null for anything else.</summary>
    public static StructuredOutputMode? ParseMode(string text) => text.Trim() switch
    {
        "auto" => StructuredOutputMode.Auto,
        "json_schema" => StructuredOutputMode.JsonSchema,
        "json_object" => StructuredOutputMode.JsonObject,
        "none" => StructuredOutputMode.None,
        _ => null,
    };

    public static string Name(StructuredOutputMode mode) => mode switch
    {
        StructuredOutputMode.Auto => "auto",
        StructuredOutputMode.JsonSchema => "json_schema",
        StructuredOutputMode.JsonObject => "json_object",
        _ => "none",
    };

    /// <summary>The most reasoning tokens a call may be allowed on top of its budget.</summary>
    public const int MaxReasoningTokens = 1_000_000;

    public EndpointRequestOptions Validated()
    {
        if (ReasoningTokens is < 0 or > MaxReasoningTokens) throw new ArgumentOutOfRangeException(nameof(ReasoningTokens), ReasoningTokens,
            $"between 0 and {MaxReasoningTokens}");
        if (ReasoningEffort is { } e && (e.Length == 0 || e.Any(char.IsWhiteSpace))) throw new ArgumentOutOfRangeException(nameof(ReasoningEffort), e,
            "one word, such as low, medium or high");
        return this;
    }
}
