using System.Diagnostics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Tailmark.Io;
using Tailmark.Llm;
using Tailmark.Rubrics;
using Tailmark.Scoring;

namespace Tailmark.Server.Reward;

/// <summary>
/// The reward endpoint trainers call: <c>POST /v1/reward</c>, OpenRLHF's <c>POST /get_reward</c>, <c>GET /health</c>,
/// <c>GET /metrics</c> (Prometheus text), <c>GET /v1/monitor</c> (over-optimization) and <c>GET /v1/rubrics/{id}</c>, on ASP.NET Core minimal APIs bound to
/// loopback unless told otherwise. Bounded: at most MaxConcurrentRequests graded at once, QueueLimit waiting,
/// beyond that 429 with Retry-After; bodies over the limit get 413, malformed JSON 400 with the parser's message;
/// a bearer token is required when one is set. Stopping finishes the requests in flight.
/// </summary>
public sealed class RewardServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private RewardServer(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public static async Task<RewardServer> StartAsync(RewardService service, RewardMetrics metrics, RewardServerOptions options, IPAddress? host = null, int port = 0, CancellationToken cancellationToken = default)
    {
        options = options.Validated();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = TimeSpan.FromSeconds(60));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(host ?? IPAddress.Loopback, port);
            k.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            k.Limits.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(options.MinBodyBytesPerSecond, options.BodyRateGrace);
            k.Limits.RequestHeadersTimeout = options.HeadersTimeout;
        });
        var app = builder.Build();
        var gate = new RequestGate(options);
        if (options.Token is { } token) app.Use(async (ctx, next) =>
        {
            if (ctx.Request.Path != "/health" && !Authorized(ctx, token))
            {
                ctx.Response.StatusCode = 401;
                ctx.Response.Headers.WWWAuthenticate = "Bearer";
                await ctx.Response.WriteAsync("{\"error\": \"a bearer token is required\"}", ctx.RequestAborted).ConfigureAwait(false);
                return;
            }
            await next(ctx).ConfigureAwait(false);
        });
        app.MapGet("/health", () =>
        {
            // "degraded" while the judge has failed calls and answered none (down, or rejecting every call): the server
            // still answers, with CannotAssess verdicts, so it stays 200 for liveness probes.
            var judge = service.JudgeUsage();
            var status = judge is { Calls: 0, Failures: > 0 } ? "degraded" : "ok";
            return Results.Text($"{{\"status\": \"{status}\", \"rubrics\": {service.Index.Count}, \"judge_calls\": {judge.Calls}, \"judge_failures\": {judge.Failures}}}", "application/json");
        });
        app.MapGet("/metrics", () => Results.Text(metrics.Render([("tailmark_rubrics", service.Index.Count), ("tailmark_requests_in_flight", gate.InFlight),
            ("tailmark_requests_queued", gate.Waiting), ("tailmark_saturated_criteria", service.Monitor.SaturatedCriteria()),
            // Process health, so a soak can tell a leak from the garbage collector's sawtooth: the heap as the last collection left it.
            ("process_resident_memory_bytes", Environment.WorkingSet), ("dotnet_gc_heap_after_last_collection_bytes", GC.GetGCMemoryInfo().HeapSizeBytes),
            ("dotnet_gc_heap_after_last_full_collection_bytes", GC.GetGCMemoryInfo(GCKind.FullBlocking).HeapSizeBytes), ("dotnet_gc_gen2_collections", GC.CollectionCount(2))],
            JudgeTotals(service.JudgeUsage())), "text/plain; version=0.0.4"));
        app.MapGet("/v1/monitor", () => Results.Text(service.Monitor.RenderJson(), "application/json"));
        app.MapGet("/v1/rubrics/{id}", (string id) => service.Index.ById(id) is { } r
            ? Results.Text(RubricJsonWriter.ToJson(r), "application/json")
            : Results.Text($"{{\"error\": \"no rubric with id {Escape(id)}\"}}", "application/json", statusCode: 404));
        app.MapPost("/v1/reward", (HttpContext ctx) => Handle(ctx, service, gate, metrics, "tailmark_requests_total{endpoint=\"reward\"}", ParseReward, WriteReward));
        app.MapPost("/get_reward", (HttpContext ctx) => Handle(ctx, service, gate, metrics, "tailmark_requests_total{endpoint=\"openrlhf\"}", ParseOpenRlhf, WriteOpenRlhf));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RewardServer(app, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
    }

    // The judges' own meters: what the endpoint costs and how it behaves (retries, failures), beside the server's counters.
    private static (string, double)[] JudgeTotals(Usage u) =>
    [
        ("tailmark_judge_http_calls_total", u.Calls), ("tailmark_judge_retries_total", u.Retries), ("tailmark_judge_failures_total", u.Failures),
        ("tailmark_judge_prompt_tokens_total", u.PromptTokens), ("tailmark_judge_cached_prompt_tokens_total", u.CachedPromptTokens),
        ("tailmark_judge_completion_tokens_total", u.CompletionTokens), ("tailmark_judge_cost_usd_total", u.Cost),
    ];

    private delegate (IReadOnlyList<RewardItem>? Items, TimeSpan? Deadline, string? Error) Parser(JsonElement body);

    private delegate void Writer(Utf8JsonWriter w, IReadOnlyList<RewardItem> items, IReadOnlyList<ItemResult> results);

    // requestCounter: the counter's full name with its endpoint label, built once rather than per request.
    private static async Task Handle(HttpContext ctx, RewardService service, RequestGate gate, RewardMetrics metrics, string requestCounter, Parser parse, Writer write)
    {
        var clock = Stopwatch.StartNew();
        metrics.Add(requestCounter);
        JsonElement body;
        try
        {
            using var doc = await JsonDocument.ParseAsync(ctx.Request.Body, cancellationToken: ctx.RequestAborted).ConfigureAwait(false);
            body = doc.RootElement.Clone();
        }
        catch (JsonException ex)
        {
            await Fail(ctx, metrics, 400, $"malformed JSON: {ex.Message.Split(" Path:")[0]}").ConfigureAwait(false);
            return;
        }
        catch (Microsoft.AspNetCore.Http.BadHttpRequestException ex) when (ex.StatusCode == 413)
        {
            await Fail(ctx, metrics, 413, "request body too large").ConfigureAwait(false);
            return;
        }
        var (items, deadline, error) = parse(body);
        if (items is null)
        {
            await Fail(ctx, metrics, 400, error ?? "bad request").ConfigureAwait(false);
            return;
        }
        if (!gate.TryEnter(out var wait))
        {
            ctx.Response.Headers.RetryAfter = "1";
            await Fail(ctx, metrics, 429, "the reward server is at capacity; retry later").ConfigureAwait(false);
            return;
        }
        var running = false;
        try
        {
            await wait(ctx.RequestAborted).ConfigureAwait(false);
            running = true;
            var results = await service.RewardAsync(items, deadline, ctx.RequestAborted).ConfigureAwait(false);
            ctx.Response.ContentType = "application/json";
            await using (var w = new Utf8JsonWriter(ctx.Response.Body, JsonOutput.Compact))
            {
                write(w, items, results);
            }
            metrics.Latency(clock.Elapsed);
        }
        finally
        {
            gate.Leave(running);
        }
    }

    private static async Task Fail(HttpContext ctx, RewardMetrics metrics, int status, string message)
    {
        metrics.Add($"tailmark_errors_total{{status=\"{status}\"}}");
        ctx.Response.StatusCode = status;
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync($"{{\"error\": {Escape(message)}}}", ctx.RequestAborted).ConfigureAwait(false);
    }

    private static string Escape(string s) => JsonSerializer.Serialize(s, TailmarkJsonContext.Default.String);

    private static bool Authorized(HttpContext ctx, string token)
    {
        var header = ctx.Request.Headers.Authorization.ToString();
        var expected = "Bearer " + token;
        return CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(header), Encoding.UTF8.GetBytes(expected));
    }

    private static (IReadOnlyList<RewardItem>?, TimeSpan?, string?) ParseReward(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("items", out var list) || list.ValueKind != JsonValueKind.Array)
        {
            return (null, null, "expected {\"items\": [{\"prompt_id\"?, \"prompt\"?, \"response\", \"step\"?}, ...]}");
        }
        var items = new List<RewardItem>();
        var i = 0;
        foreach (var e in list.EnumerateArray())
        {
            var log = new IssueLog("request");
            if (e.ValueKind != JsonValueKind.Object) return (null, null, $"items[{i}]: expected an object");
            var f = new JsonFieldReader(e, $"items[{i}]", log);
            var promptId = f.String("prompt_id");
            var prompt = RubricJsonReader.ReadPrompt(f.Raw("prompt"), f.FieldPath("prompt"), log);
            var response = f.String("response", required: true);
            var step = f.Number("step");
            if (log.HasErrors) return (null, null, string.Join("; ", log.Issues.Where(x => x.IsError).Select(x => $"{x.Field}: {x.Message}")));
            items.Add(new RewardItem(promptId, prompt, response!, step is { } s ? (long)s : null));
            i++;
        }
        TimeSpan? deadline = body.TryGetProperty("deadline_ms", out var d) && d.TryGetDouble(out var ms) && ms > 0 ? TimeSpan.FromMilliseconds(ms) : null;
        return (items, deadline, null);
    }

    /// <summary>
    /// OpenRLHF's remote reward: <c>{"query": [full texts], "prompts": [...], "labels": [...]}</c>. Each query is the
    /// prompt followed by the response, so the response is the query with its prompt removed from the front. A
    /// label that names a known prompt id selects the rubric; otherwise the prompt text does.
    /// </summary>
    private static (IReadOnlyList<RewardItem>?, TimeSpan?, string?) ParseOpenRlhf(JsonElement body)
    {
        if (body.ValueKind != JsonValueKind.Object || !body.TryGetProperty("query", out var queries) || queries.ValueKind != JsonValueKind.Array)
        {
            return (null, null, "expected {\"query\": [...], \"prompts\": [...], \"labels\": [...]}");
        }
        var prompts = body.TryGetProperty("prompts", out var p) && p.ValueKind == JsonValueKind.Array ? p.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() : null).ToList() : [];
        var labels = body.TryGetProperty("labels", out var l) && l.ValueKind == JsonValueKind.Array ? l.EnumerateArray().Select(x => x.ValueKind == JsonValueKind.String ? x.GetString() : null).ToList() : [];
        var items = new List<RewardItem>();
        var i = 0;
        foreach (var q in queries.EnumerateArray())
        {
            if (q.ValueKind != JsonValueKind.String) return (null, null, $"query[{i}]: expected a string");
            var query = q.GetString()!;
            var prompt = i < prompts.Count ? prompts[i] : null;
            string response;
            if (prompt is not null && query.StartsWith(prompt, StringComparison.Ordinal)) response = query[prompt.Length..];
            else if (prompt is not null) return (null, null, $"query[{i}] does not start with prompts[{i}]");
            else response = query;
            items.Add(new RewardItem(i < labels.Count ? labels[i] : null, prompt is null ? null : PromptContent.FromText(prompt.Trim()), response.Trim(), null));
            i++;
        }
        return (items, null, null);
    }

    private static void WriteReward(Utf8JsonWriter w, IReadOnlyList<RewardItem> items, IReadOnlyList<ItemResult> results)
    {
        w.WriteStartObject();
        w.WriteStartArray("rewards");
        foreach (var r in results)
        {
            if (r.Reward is { } v) JsonNumbers.Write(w, v);
            else w.WriteNullValue();
        }
        w.WriteEndArray();
        w.WriteStartArray("results");
        foreach (var r in results)
        {
            w.WriteStartObject();
            if (r.Graded is { } g)
            {
                w.WriteString("rubric_id", g.Row.RubricId);
                GradedRowWriter.WriteVerdicts(w, g.Row.Verdicts);
                GradedRowWriter.WriteReward(w, g.Result);
            }
            else
            {
                w.WritePropertyName("reward");
                if (r.FallbackReward is { } f) JsonNumbers.Write(w, f);
                else w.WriteNullValue();
                w.WriteStartArray("diagnostics");
                w.WriteEndArray();
            }
            if (r.Error is not null) w.WriteString("error", r.Error);
            if (r.FallbackReward is not null) w.WriteBoolean("fallback", true);
            if (r.DeadlineExceeded) w.WriteBoolean("deadline_exceeded", true);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    /// <summary>OpenRLHF wants numbers: an item without a reward gets 0 and is counted in extra_logs.</summary>
    private static void WriteOpenRlhf(Utf8JsonWriter w, IReadOnlyList<RewardItem> items, IReadOnlyList<ItemResult> results)
    {
        w.WriteStartObject();
        foreach (var name in new[] { "rewards", "scores" })
        {
            w.WriteStartArray(name);
            foreach (var r in results) JsonNumbers.Write(w, name == "scores" ? Math.Clamp(r.Reward ?? 0, 0, 1) : r.Reward ?? 0);
            w.WriteEndArray();
        }
        w.WriteStartObject("extra_logs");
        w.WriteStartArray("tailmark_ungraded");
        foreach (var r in results) w.WriteNumberValue(r.Reward is null ? 1 : 0);
        w.WriteEndArray();
        w.WriteStartArray("tailmark_vetoed");
        foreach (var r in results) w.WriteNumberValue(r.Graded?.Result.Breakdown.VetoedBy is null ? 0 : 1);
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);
}
