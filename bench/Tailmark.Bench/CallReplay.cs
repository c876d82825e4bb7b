using System.ClientModel;
using System.ClientModel.Primitives;
using System.Text;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using Tailmark.Io;
using Tailmark.Judging;
using Tailmark.Rubrics;

namespace Tailmark.Bench;

/// <summary>
/// The judge calls Tailmark makes for a set of responses in one judge mode — the same prompts, batches, sampling
/// options and output budget — sent without Tailmark: through the OpenAI SDK alone (no resilience pipeline, no
/// parsing, voting or scoring), or as bare HttpClient POSTs of the same JSON. Their CPU is the call stack's share of
/// Tailmark's CPU per verdict; what Tailmark spends beyond it is its own.
/// </summary>
internal sealed class CallReplay : IDisposable
{
    private readonly ChatClient _sdk;
    private readonly HttpClient _http;
    private readonly JudgeOptions _options;

    public CallReplay(Uri baseUrl, JudgeOptions options)
    {
        _options = options;
        _sdk = new ChatClient("sim-judge", new ApiKeyCredential("not-needed"),
            new OpenAIClientOptions { Endpoint = baseUrl, RetryPolicy = new ClientRetryPolicy(0) });
        _http = new HttpClient { BaseAddress = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/") };
    }

    /// <summary>One judge call: the user message, how many criteria it asks about, and its batch's JSON schema.</summary>
    public sealed record Call(string Prompt, int Criteria, string Schema);

    /// <summary>The calls the judge engine makes for WORK in MODE (one vote, no cache), in its order.</summary>
    public static List<Call> Calls(IEnumerable<(ResponseRow Row, Rubric Rubric)> work, JudgeMode mode)
    {
        // Built here, before any measurement, once per batch shape: the engine builds each shape's schema once too.
        var schemas = new Dictionary<string, string>(StringComparer.Ordinal);
        return [.. work.SelectMany(w =>
        {
            var preamble = JudgePrompts.Preamble(JudgePrompts.Conversation(w.Rubric.Prompt), w.Row.Response);
            var judged = w.Rubric.Criteria.Where(c => c.Check is null).ToList();
            return judged.Chunk(Math.Min(mode.BatchSize, judged.Count)).Select(batch =>
            {
                var key = string.Join(",", batch.Select(c => c.Id));
                if (!schemas.TryGetValue(key, out var schema)) schemas[key] = schema = JudgeSchema.For(batch).GetRawText();
                return new Call(preamble + JudgePrompts.Criteria(batch), batch.Length, schema);
            });
        })];
    }

    public Task SendThroughSdkAsync(IReadOnlyList<Call> calls, int concurrency) =>
        Parallel.ForEachAsync(calls, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (call, ct) =>
        {
            // A fresh options object per call: the SDK fills in the messages and model on the one it is given.
            ChatCompletion completion = await _sdk.CompleteChatAsync([new SystemChatMessage(JudgePrompts.System), new UserChatMessage(call.Prompt)],
                SdkOptions(call), ct);
            _ = completion.Content[0].Text;
        });

    public Task SendAsBareHttpAsync(IReadOnlyList<Call> calls, int concurrency) =>
        Parallel.ForEachAsync(calls, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (call, ct) =>
        {
            var body = JsonOutput.Render(w =>
            {
                w.WriteStartObject();
                w.WriteString("model", "sim-judge");
                w.WriteStartArray("messages");
                foreach (var (role, content) in new[] { ("system", JudgePrompts.System), ("user", call.Prompt) })
                {
                    w.WriteStartObject();
                    w.WriteString("role", role);
                    w.WriteString("content", content);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteNumber("temperature", _options.EffectiveTemperature);
                w.WriteNumber("seed", 0);
                w.WriteNumber("max_tokens", _options.OutputBudget(call.Criteria));
                w.WriteStartObject("response_format");
                w.WriteString("type", "json_schema");
                w.WriteStartObject("json_schema");
                w.WriteString("name", JudgeSchema.Name);
                w.WritePropertyName("schema");
                w.WriteRawValue(call.Schema);
                w.WriteBoolean("strict", true);
                w.WriteEndObject();
                w.WriteEndObject();
                w.WriteEndObject();
            });
            using var response = await _http.PostAsync("chat/completions", new StringContent(body, Encoding.UTF8, "application/json"), ct);
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStreamAsync(ct));
            _ = doc.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
        });

    // The engine's request: the same sampling options, budget and json_schema response format (the schema's SDK form
    // made once per schema, as the engine's client does).
    private ChatCompletionOptions SdkOptions(Call call)
    {
        var options = new ChatCompletionOptions
        {
            Temperature = (float)_options.EffectiveTemperature,
            MaxOutputTokenCount = _options.OutputBudget(call.Criteria),
            ResponseFormat = _formats.GetOrAdd(call.Schema, s =>
                ChatResponseFormat.CreateJsonSchemaFormat(JudgeSchema.Name, BinaryData.FromString(s), null, jsonSchemaIsStrict: true)),
        };
#pragma warning disable OPENAI001 // Seed is experimental in the SDK; the engine sends it (vote 0).
        options.Seed = 0;
#pragma warning restore OPENAI001
        return options;
    }

    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, ChatResponseFormat> _formats = new(StringComparer.Ordinal);

    public void Dispose() => _http.Dispose();
}
