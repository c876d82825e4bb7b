using System.ClientModel;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using OpenAI;
using Tailmark.Judging;
using Tailmark.Llm;
using Tailmark.Sim.Server;
using Tailmark.Sim;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Llm;

/// <summary>
/// The endpoint client pipeline (Microsoft.Extensions.AI's OpenAI adapter and our stages) against a stand-in server that
/// records what it is sent: every setting reaches the wire, and everything Tailmark reads from an answer survives.
/// </summary>
public sealed class EndpointClientTests
{
    private const string Schema = """{"type": "object", "properties": {"ok": {"type": "boolean"}}, "required": ["ok"], "additionalProperties": false}""";

    private static EndpointSpec Spec(RecordingEndpoint server, EndpointRequestOptions? request = null, EndpointLimits? limits = null, string? key = null,
        string model = "m") =>
        new("stand-in", EndpointKind.Http, new Uri(server.Url), model, key, limits ?? new EndpointLimits { MaxRetries = 0 }, new PriceTable(1.0, 0.5, 2.0))
        {
            Request = request ?? EndpointRequestOptions.Default,
        };

    private static readonly List<ChatMessage> Question = [new(ChatRole.System, "Be brief."), new(ChatRole.User, "Is it?")];

    [Trait("Tier", "Integration")]
    [Fact]
    public async Task Request_CarriesBudgetAllowanceSeedEffortLogprobsAndTheStrictSchema()
    {
        await using var server = await RecordingEndpoint.StartAsync((200, RecordingEndpoint.Completion("""{"ok": true}""")));
        var request = new EndpointRequestOptions { StructuredOutput = StructuredOutputMode.Auto, ReasoningEffort = "minimal", ReasoningTokens = 100 };
        using var client = EndpointClient.Create(Spec(server, request));
        using var schema = JsonDocument.Parse(Schema);
        await client.GetResponseAsync(Question, new ChatOptions
        {
            Temperature = 0.5f,
            Seed = 3,
            MaxOutputTokens = 200,
            ResponseFormat = ChatResponseFormat.ForJsonSchema(schema.RootElement, "answer"),
            AdditionalProperties = new AdditionalPropertiesDictionary { [ChatOptionKeys.TopLogprobs] = 2 },
        });
        var sent = Assert.Single(server.Requests);
        Assert.Equal("m", sent.GetProperty("model").GetString());
        Assert.Equal(300, sent.GetProperty("max_completion_tokens").GetInt32()); // the budget plus the reasoning allowance
        Assert.Equal(3, sent.GetProperty("seed").GetInt64());
        Assert.Equal(0.5, sent.GetProperty("temperature").GetDouble(), 6);
        Assert.Equal("minimal", sent.GetProperty("reasoning_effort").GetString()); // a word the abstraction's enum does not have
        Assert.True(sent.GetProperty("logprobs").GetBoolean());
        Assert.Equal(2, sent.GetProperty("top_logprobs").GetInt32());
        var format = sent.GetProperty("response_format");
        Assert.Equal("json_schema", format.GetProperty("type").GetString());
        Assert.Equal("answer", format.GetProperty("json_schema").GetProperty("name").GetString());
        Assert.True(format.GetProperty("json_schema").GetProperty("strict").GetBoolean());
        // The schema exactly as written: not rewritten by the adapter's strict-mode transform.
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(Schema), JsonNode.Parse(format.GetProperty("json_schema").GetProperty("schema").GetRawText())));
        // Messages as plain strings, as every OpenAI-compatible server reads them.
        Assert.Equal(["system:Be brief.", "user:Is it?"],
            sent.GetProperty("messages").EnumerateArray().Select(m => $"{m.GetProperty("role").GetString()}:{m.GetProperty("content").GetString()}"));
    }

    [Trait("Tier", "Integration")]
    [Theory]
    [InlineData(StructuredOutputMode.JsonObject, "json_object")]
    [InlineData(StructuredOutputMode.None, null)]
    public async Task Request_OtherStructuredOutputModes_AndNothingUnasked(StructuredOutputMode mode, string? type)
    {
        await using var server = await RecordingEndpoint.StartAsync((200, RecordingEndpoint.Completion("""{"ok": true}""")));
        using var client = EndpointClient.Create(Spec(server, new EndpointRequestOptions { StructuredOutput = mode }));
        using var schema = JsonDocument.Parse(Schema);
        await client.GetResponseAsync(Question, new ChatOptions { ResponseFormat = ChatResponseFormat.ForJsonSchema(schema.RootElement, "answer") });
        var sent = Assert.Single(server.Requests);
        Assert.Equal(type, sent.TryGetProperty("response_format", out var f) ? f.GetProperty("type").GetString() : null);
        foreach (var absent in new[] { "max_completion_tokens", "max_tokens", "seed", "reasoning_effort", "logprobs",
            "top_logprobs" }) Assert.False(sent.TryGetProperty(absent, out _), absent);
    }

    [Trait("Tier", "Integration")]
    [Fact]
    public async Task Answer_KeepsTextLogprobsCachedTokensCostAndTheCutOff()
    {
        const string logprobs = """
            , "logprobs": {"content": [{"token": "true", "logprob": -0.1, "bytes": null,
                "top_logprobs": [{"token": "true", "logprob": -0.1, "bytes": null}, {"token": "false", "logprob": -2.4, "bytes": null}]}]}
            """;
        await using var server = await RecordingEndpoint.StartAsync(
            (200, RecordingEndpoint.Completion("""{"ok": true}""", "length", choiceExtra: logprobs, promptTokens: 100, completionTokens: 20, cachedTokens: 64)));
        using var client = EndpointClient.Create(Spec(server));
        var answer = await client.GetResponseAsync(Question);
        Assert.Equal("""{"ok": true}""", answer.Text);
        Assert.Equal(ChatFinishReason.Length, answer.FinishReason);
        var tokens = Assert.IsAssignableFrom<IReadOnlyList<TokenLogprob>>(answer.AdditionalProperties![ChatOptionKeys.Logprobs]);
        var token = Assert.Single(tokens);
        Assert.Equal(("true", -0.1), (token.Token, Math.Round(token.Logprob, 6))); // the SDK reads them as floats
        Assert.Equal([("true", -0.1), ("false", -2.4)], token.Top.Select(t => (t.Token, Math.Round(t.Logprob, 6))));
        var usage = client.UsageSoFar();
        Assert.Equal((1L, 100L, 64L, 20L), (usage.Calls, usage.PromptTokens, usage.CachedPromptTokens, usage.CompletionTokens));
        // 36 uncached prompt tokens at $1, 64 cached at $0.50 and 20 completion tokens at $2 per million.
        Assert.Equal((36 * 1.0 + 64 * 0.5 + 20 * 2.0) / 1e6, usage.Cost, 12);
    }

    [Trait("Tier", "Integration")]
    [Theory]
    [InlineData(""", "reasoning_content": "weighing it" """, "weighing it")]
    [InlineData(""", "reasoning": "weighing it" """, "weighing it")]
    [InlineData(""", "reasoning_content": "", "reasoning": "weighing it" """, "weighing it")]
    [InlineData(""", "reasoning_content": "" """, null)]
    [InlineData("", null)]
    public async Task Answer_ReasoningField_UnderEitherName_NeverInTheText(string field, string? reasoning)
    {
        await using var server = await RecordingEndpoint.StartAsync((200, RecordingEndpoint.Completion("""{"ok": true}""", messageExtra: field)));
        using var client = EndpointClient.Create(Spec(server));
        var answer = await client.GetResponseAsync(Question);
        Assert.Equal("""{"ok": true}""", answer.Text);
        Assert.Equal(reasoning, JudgeEngine.ReasoningOf(answer));
    }

    [Trait("Tier", "Integration")]
    [Fact]
    public async Task Retries_AreCountedAndLogged_NeverWithTheKey()
    {
        const string key = "sk-test-0123456789abcdef";
        await using var server = await RecordingEndpoint.StartAsync(
            (503, """{"error": {"message": "overloaded", "type": "server_error"}}"""), (200, RecordingEndpoint.Completion("""{"ok": true}""")));
        var logs = new ListLoggerProvider();
        using var factory = LoggerFactory.Create(b => b.AddProvider(logs).SetMinimumLevel(LogLevel.Trace));
        var limits = new EndpointLimits { MaxRetries = 2, BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero };
        using var client = EndpointClient.Create(Spec(server, limits: limits, key: key), new EndpointClientOptions { LoggerFactory = factory });
        await client.GetResponseAsync(Question);
        Assert.Equal((1L, 1L, 0L), (client.UsageSoFar().Calls, client.UsageSoFar().Retries, client.UsageSoFar().Failures));
        Assert.Equal(2, server.Requests.Count);
        Assert.Contains(logs.Entries, e => e.Level == LogLevel.Information
            && e.Message.StartsWith("stand-in: attempt 1 failed (HTTP 503", StringComparison.Ordinal));
        Assert.Contains(logs.Entries, e => e.Message.Contains("GetResponseAsync", StringComparison.Ordinal)); // the logging stage
        Assert.DoesNotContain(logs.Entries, e => e.Message.Contains(key, StringComparison.Ordinal));
    }

    [Trait("Tier", "Integration")]
    [Fact]
    public async Task OpenTelemetry_OneSpanPerCall_WithTheModelAndTheTokens()
    {
        await using var server = await RecordingEndpoint.StartAsync((200, RecordingEndpoint.Completion("""{"ok": true}""", promptTokens: 41, completionTokens: 7)));
        var spans = new ConcurrentQueue<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = s => s.Name == EndpointClient.ActivitySourceName,
            Sample = (ref ActivityCreationOptions<ActivityContext> _) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = spans.Enqueue,
        };
        ActivitySource.AddActivityListener(listener);
        // A model name of this test's own, so spans of tests running beside it are told apart.
        using var client = EndpointClient.Create(Spec(server, model: "otel-probe"));
        await client.GetResponseAsync(Question);
        var span = Assert.Single(spans, s => Equals(s.GetTagItem("gen_ai.request.model"), "otel-probe"));
        Assert.Equal("chat", span.GetTagItem("gen_ai.operation.name"));
        Assert.Equal(41, Convert.ToInt32(span.GetTagItem("gen_ai.usage.input_tokens"), System.Globalization.CultureInfo.InvariantCulture));
        Assert.Equal(7, Convert.ToInt32(span.GetTagItem("gen_ai.usage.output_tokens"), System.Globalization.CultureInfo.InvariantCulture));
    }

    [Theory]
    [InlineData(600, 10, 1000.0)]
    [InlineData(90, 1, 60_000.0 / 90)]
    [InlineData(2, 1, 30_000.0)]
    [InlineData(1, 1, 60_000.0)]
    public void RateLimits_RefillAtExactlyTheConfiguredRate(int perMinute, int tokens, double periodMs)
    {
        // Before, the bucket refilled max(1, N/60) tokens a second: 60 a minute for any limit under 60.
        var bucket = ResilienceChatClient.PerMinute(perMinute);
        Assert.Equal((perMinute, tokens), (bucket.TokenLimit, bucket.TokensPerPeriod));
        Assert.Equal(periodMs, bucket.ReplenishmentPeriod.TotalMilliseconds, 3);
    }

    [Trait("Tier", "Integration")]
    [Fact]
    public async Task Timeouts_FollowTheInjectedClock()
    {
        // Every call hangs for five minutes; the attempt's timeout of ten seconds passes on the test's clock alone.
        await using var sim = await SimServer.StartAsync(new SimServerOptions { Faults = FaultSpec.Parse("hang=1"), HangLimit = TimeSpan.FromMinutes(5) });
        var clock = new FakeTimeProvider();
        var spec = new EndpointSpec("hanging", EndpointKind.Sim, sim.BaseUrl, "sim-judge", null,
            new EndpointLimits { MaxRetries = 0, Timeout = TimeSpan.FromSeconds(10) }, PriceTable.Free);
        using var client = EndpointClient.Create(spec, new EndpointClientOptions { TimeProvider = clock });
        var call = client.GetResponseAsync(Question);
        await Until(() => sim.Service.Stats.Snapshot().Faults["Hang"] == 1);
        Assert.False(call.IsCompleted);
        clock.Advance(TimeSpan.FromSeconds(10));
        var failed = await Assert.ThrowsAsync<LlmCallException>(() => call.WaitAsync(TimeSpan.FromMinutes(1)));
        Assert.Equal("hanging: timed out on every attempt", failed.Message);
        Assert.Equal(1, client.UsageSoFar().Failures);
    }

    [Fact]
    public void Endpoint_OfAForeignClient_ComesFromItsMetadata_OrIsAClearError()
    {
        using var adapter = new OpenAI.Chat.ChatClient("m", new ApiKeyCredential("x"),
            new OpenAIClientOptions { Endpoint = new Uri("http://127.0.0.1:9/v1") }).AsIChatClient();
        var spec = adapter.Endpoint();
        Assert.Equal(("m", "http://127.0.0.1:9/v1#m"), (spec.Model, spec.Identity));
        using var anonymous = new Anonymous();
        Assert.Contains("names no endpoint", Assert.Throws<ArgumentException>(() => anonymous.Endpoint()).Message);
    }

    private static async Task Until(Func<bool> condition)
    {
        for (var i = 0; i < 3000 && !condition(); i++) await Task.Delay(10);
        Assert.True(condition());
    }

    /// <summary>A chat client that says nothing about itself.</summary>
    private sealed class Anonymous : IChatClient
    {
        public Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            CancellationToken cancellationToken = default) =>
            Task.FromResult(new ChatResponse(new ChatMessage(ChatRole.Assistant, "")));

        public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
            CancellationToken cancellationToken = default) =>
            throw new NotSupportedException();

        public object? GetService(Type serviceType, object? serviceKey = null) => null;

        public void Dispose()
        {
            // Nothing held.
        }
    }
}
