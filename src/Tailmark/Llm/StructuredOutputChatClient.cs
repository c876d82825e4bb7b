using System.ClientModel;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using AiChatResponseFormat = Microsoft.Extensions.AI.ChatResponseFormat;
using SdkChatResponseFormat = OpenAI.Chat.ChatResponseFormat;

namespace Tailmark.Llm;

/// <summary>
/// What a JSON request (<see cref="ChatResponseFormatJson"/>) is sent as, by the endpoint's structured-output mode:
/// <c>json_schema</c> (the schema, strict), <c>json_object</c> (JSON mode) or no <c>response_format</c>. Under
/// <c>auto</c> a refusal that names the response format steps down one mode — json_schema → json_object → none — at
/// once and for the rest of the run, said once per step; calls in flight that met the same refusal each step down and are
/// answered. Sits inside the resilience stage, so a step down is part of one attempt.
/// </summary>
public sealed class StructuredOutputChatClient : DelegatingChatClient
{
    private readonly EndpointSpec _spec;
    private readonly Action<string>? _notice;

    // The structured output asked for now: the configured mode, or where auto's fallback has got to.
    private int _mode;

    public StructuredOutputChatClient(IChatClient inner, EndpointSpec spec, Action<string>? notice = null) : base(inner)
    {
        _spec = spec;
        _notice = notice;
        _mode = (int)(spec.Request.StructuredOutput == StructuredOutputMode.Auto ? StructuredOutputMode.JsonSchema : spec.Request.StructuredOutput);
    }

    /// <summary>What a JSON request is sent as now (json_schema, json_object or none): the configured mode, or auto's current step.</summary>
    public StructuredOutputMode StructuredOutputNow => (StructuredOutputMode)Volatile.Read(ref _mode);

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        if (options?.ResponseFormat is not ChatResponseFormatJson json) return await base.GetResponseAsync(messages, options,
            cancellationToken).ConfigureAwait(false);
        while (true)
        {
            var mode = StructuredOutputNow;
            try
            {
                return await base.GetResponseAsync(messages, Request(options, json, mode), cancellationToken).ConfigureAwait(false);
            }
            catch (ClientResultException ex) when (_spec.Request.StructuredOutput == StructuredOutputMode.Auto && mode != StructuredOutputMode.None
                && NamesResponseFormat(ex))
            {
                StepDown(mode, ex);
            }
        }
    }

    private static ChatOptions Request(ChatOptions options, ChatResponseFormatJson json, StructuredOutputMode mode)
    {
        if (mode == StructuredOutputMode.None)
        {
            var plain = options.Clone();
            plain.ResponseFormat = null;
            return plain;
        }
        // Our own SDK format rather than the adapter's: the schema exactly as written, strict, made once per schema.
        var format = mode == StructuredOutputMode.JsonSchema && json.Schema is not null ? SchemaFormats.GetValue(json, Strict) : JsonObjectFormat;
        return SdkRequest.With(options, request => request.ResponseFormat = format);
    }

    private static SdkChatResponseFormat Strict(ChatResponseFormatJson json) => SdkChatResponseFormat.CreateJsonSchemaFormat(
        json.SchemaName ?? "answer", BinaryData.FromString(json.Schema!.Value.GetRawText()), json.SchemaDescription, jsonSchemaIsStrict: true);

    // The SDK's form of each schema format, made once per format object (callers reuse them: JudgeSchema.Format).
    private static readonly ConditionalWeakTable<ChatResponseFormatJson, SdkChatResponseFormat> SchemaFormats = new();
    private static readonly SdkChatResponseFormat JsonObjectFormat = SdkChatResponseFormat.CreateJsonObjectFormat();

    // Auto's fallback, one step. Said once per step, however many calls in flight met the same refusal.
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
}
