using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Tailmark.Sim.Server;

/// <summary>
/// Serves one chat-completions request the way a serving engine would: decide the request's fault (if any),
/// wait for a free slot, hold it for the capacity model's service time (uncached prompt tokens at the prefill
/// rate, completion tokens at the decode rate), answer in the OpenAI format.
/// </summary>
public sealed class SimService
{
    private const long Created = 1_700_000_000;
    private readonly SimModels _models;
    private readonly SimServerOptions _options;
    private readonly SemaphoreSlim? _slots;
    private readonly PrefixCache _prefixCache = new();
    private readonly ConcurrentDictionary<ulong, int> _attempts = new();
    private readonly ConcurrentDictionary<ulong, long> _rateLimitedAt = new();
    private readonly TimeProvider _time;

    public SimService(SimServerOptions options, TimeProvider? time = null)
    {
        _options = options;
        World = new SimWorld(options.World.Seed, options.World.Tasks);
        _models = new SimModels(World, options.World);
        _slots = options.Capacity.IsUnlimited ? null : new SemaphoreSlim(options.Capacity.Slots, options.Capacity.Slots);
        _time = time ?? TimeProvider.System;
        Stats = new SimStats(options.Capacity.IsUnlimited ? int.MaxValue : options.Capacity.Slots);
    }

    public SimWorld World { get; }
    public SimStats Stats { get; }

    public async Task<IResult> CompleteAsync(ChatRequestWire wire, CancellationToken cancellationToken)
    {
        Stats.Started();
        try
        {
            return await RespondAsync(wire, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            Stats.Finished();
        }
    }

    private async Task<IResult> RespondAsync(ChatRequestWire wire, CancellationToken cancellationToken)
    {
        Stats.Request();
        if (wire.Stream == true) return Error(400, "streaming is not supported by the simulated server", "invalid_request_error", null);
        if (string.IsNullOrEmpty(wire.Model)) return Error(400, "'model' is required", "invalid_request_error", null);
        if (wire.Messages is not { Count: > 0 }) return Error(400, "'messages' must hold at least one message", "invalid_request_error", null);
        if (!SimModels.Exists(wire.Model)) return Error(404, $"The model '{wire.Model}' does not exist. Models: {string.Join(", ", SimModels.Names)}",
            "invalid_request_error", "model_not_found");
        var n = wire.N ?? 1;
        if (n is < 1 or > 128) return Error(400, "'n' must be between 1 and 128", "invalid_request_error", null);

        if (ResponseFormatType(wire.ResponseFormat, out var formatError) is not { } format) return Error(400, formatError!, "invalid_request_error", null,
            "response_format");
        if (RefusedFormat(wire.Model, format) is { } refusal)
        {
            Stats.RefusedResponseFormat();
            return Error(400, refusal, "invalid_request_error", null, "response_format");
        }
        var request = new SimRequest(wire.Model, [.. wire.Messages.Select(m => (m.Role ?? "user", m.Text))], n, wire.Seed,
            wire.MaxCompletionTokens ?? wire.MaxTokens, format, wire.Logprobs == true, wire.TopLogprobs ?? 0, wire.ReasoningEffort);
        var key = SimHash.Of(request.Model, request.Text, request.N, request.Seed, request.MaxTokens, request.ResponseFormat, request.ReasoningEffort);
        var attempt = _attempts.AddOrUpdate(key, 0, (_, a) => a + 1);
        if (_rateLimitedAt.TryRemove(key, out var limitedAt))
        {
            // How long the client waited after being told to wait: lets tests check that Retry-After is honoured.
            Stats.RetryGap(_time.GetElapsedTime(limitedAt));
        }
        var fault = _options.Faults.Decide(_options.World.Seed, key.ToString(System.Globalization.CultureInfo.InvariantCulture), attempt);
        switch (fault)
        {
            case FaultKind.RateLimited:
                Stats.Fault(FaultKind.RateLimited);
                _rateLimitedAt[key] = _time.GetTimestamp();
                return new RateLimitedResult(_options.Faults.RetryAfterMs);
            case FaultKind.ServerError:
                Stats.Fault(FaultKind.ServerError);
                return (key & 1) == 0
                    ? Error(500, "internal error (simulated)", "server_error", null)
                    : Error(503, "the engine is overloaded (simulated)", "server_error", null);
            case FaultKind.Hang:
                Stats.Fault(FaultKind.Hang);
                await Task.Delay(_options.HangLimit, _time, cancellationToken).ConfigureAwait(false);
                return Error(504, "the request hung and was dropped (simulated)", "server_error", null);
        }

        var choices = _models.Respond(request);
        if (fault is FaultKind.Malformed or FaultKind.Truncate)
        {
            Stats.Fault(fault.Value);
            choices = [.. choices.Select(c => fault == FaultKind.Malformed
                ? c with { Content = Break(c.Content), Logprobs = null }
                : c with { Content = SimModels.Truncate(c.Content, Math.Max(1, SimTokenizer.Count(c.Content) / 2)), FinishReason = "length",
                    Logprobs = null })];
        }
        var promptTokens = SimTokenizer.CountMessages(request.Messages);
        var reasoningTokens = choices.Sum(c => c.Reasoning is null ? 0 : SimTokenizer.Count(c.Reasoning));
        var completionTokens = choices.Sum(c => SimTokenizer.Count(c.Content)) + reasoningTokens;
        var cached = new StrongBox<int>(0);
        await Serve(request, promptTokens, completionTokens, cached, cancellationToken).ConfigureAwait(false);
        return Results.Json(Render(request, key, choices, promptTokens, completionTokens, reasoningTokens, cached.Value),
            SimWireContext.Default.ChatResponseWire);
    }

    private async Task Serve(SimRequest request, int promptTokens, int completionTokens, StrongBox<int> cached, CancellationToken ct)
    {
        if (_slots is not null) await _slots.WaitAsync(ct).ConfigureAwait(false);
        try
        {
            if (_options.Capacity.PrefixCache)
            {
                var tokens = request.Messages.SelectMany(m => SimTokenizer.Tokens(m.Role).Concat(SimTokenizer.Tokens(m.Content))).ToList();
                cached.Value = Math.Min(_prefixCache.Admit(tokens), promptTokens);
            }
            var service = _options.Capacity.ServiceTime(promptTokens, cached.Value, completionTokens);
            Stats.Served(request.N, promptTokens, cached.Value, completionTokens, service);
            if (service > TimeSpan.Zero) await Task.Delay(service, _time, ct).ConfigureAwait(false);
        }
        finally
        {
            _slots?.Release();
        }
    }

    // The response_format type asked for ("text" when none); null with the error for one that is malformed.
    private static string? ResponseFormatType(JsonElement? format, out string? error)
    {
        error = null;
        if (format is not { ValueKind: JsonValueKind.Object } f) return "text";
        var type = f.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString() : null;
        if (type is "text" or "json_object") return type;
        if (type == "json_schema")
        {
            if (f.TryGetProperty("json_schema", out var js) && js.ValueKind == JsonValueKind.Object && js.TryGetProperty("schema", out var schema)
                && schema.ValueKind == JsonValueKind.Object) return type;
            error = "response_format of type json_schema needs json_schema.schema, an object";
            return null;
        }
        error = $"response_format type must be text, json_object or json_schema, not {(type is null ? "missing" : $"'{type}'")}";
        return null;
    }

    // What a server that refuses this response format answers (phrased as engines phrase it), or null.
    private string? RefusedFormat(string model, string format) => (_options.World.StructuredOutputs.For(model), format) switch
    {
        (SimStructuredOutput.JsonObjectOnly, "json_schema") =>
            "response_format json_schema is not supported: this server has no structured-output backend for JSON schemas (simulated)",
        (SimStructuredOutput.Reject, "json_schema" or "json_object") => $"response_format {format} is not supported by this server (simulated)",
        _ => null,
    };

    private static string Break(string content) =>
        content.Length < 4 ? "{\"verdicts\": [" : content[..(content.Length / 2)] + "\",,}";

    private static ChatResponseWire Render(SimRequest request, ulong key, IReadOnlyList<SimChoice> choices, int promptTokens, int completionTokens,
        int reasoningTokens, int cached) =>
        new($"chatcmpl-{key:x16}", "chat.completion", Created, request.Model, "tailmark-sim",
            [.. choices.Select((c, i) => new ChoiceWire(i, Message(c),
                c.Logprobs is null ? null : new LogprobsWire([.. c.Logprobs.Select(l => new TokenLogprobWire(l.Token, l.Logprob, null,
                    [.. l.Top.Select(t => new TopLogprobWire(t.Token, t.Logprob, null))]))]),
                c.FinishReason))],
            new UsageWire(promptTokens, completionTokens, promptTokens + completionTokens, new PromptTokensDetailsWire(cached),
                new CompletionTokensDetailsWire(reasoningTokens)));

    // Reasoning goes in the field the choice names; content that the budget left empty beside reasoning is null.
    private static AssistantMessageWire Message(SimChoice c) => new("assistant",
        c.Reasoning is not null && c.Content.Length == 0 ? null : c.Content,
        c.Reasoning is not null && c.ReasoningField == "reasoning_content" ? c.Reasoning : null,
        c.Reasoning is not null && c.ReasoningField == "reasoning" ? c.Reasoning : null);

    public static IResult Error(int status, string message, string type, string? code, string? param = null) =>
        Results.Json(new ErrorWire(new ErrorBodyWire(message, type, code, param)), SimWireContext.Default.ErrorWire, statusCode: status);

    /// <summary>429 with both Retry-After (seconds, rounded up) and retry-after-ms, as OpenAI sends them.</summary>
    private sealed class RateLimitedResult(int retryAfterMs) : IResult
    {
        public Task ExecuteAsync(HttpContext httpContext)
        {
            httpContext.Response.Headers["Retry-After"] = Math.Max(1, (retryAfterMs + 999) / 1000).ToString(System.Globalization.CultureInfo.InvariantCulture);
            httpContext.Response.Headers["retry-after-ms"] = retryAfterMs.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Error(429, "rate limit reached (simulated)", "rate_limit_exceeded", "rate_limit_exceeded").ExecuteAsync(httpContext);
        }
    }
}
