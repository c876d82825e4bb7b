using System.Globalization;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Console;
using Tailmark.Llm;
using Tailmark.Rubrics;
using Tailmark.Server.Reward.Wire;

using Tailmark.Monitoring;

namespace Tailmark.Server.Reward;

/// <summary>
/// The reward endpoint trainers call, on ASP.NET Core minimal APIs bound to loopback unless told otherwise:
/// <c>POST /v1/reward</c> (ours), <c>POST /get_reward</c> (OpenRLHF), <c>POST /slime</c> (slime), <c>GET /health</c>,
/// <c>GET /metrics</c> (Prometheus text), <c>GET /v1/monitor</c> (this replica's, or <c>?replicas=all</c> added up with its
/// peers'), <c>GET /v1/rubrics/{id}</c> (its active version) and, with online refinement, <c>GET /v1/rubrics/{id}/history</c>,
/// <c>POST /v1/rubrics/{id}/rollback</c> and <c>GET /v1/refine</c>. Bounded: at most
/// MaxConcurrentRequests graded at once and QueueLimit waiting (admission through a
/// <see cref="ConcurrencyLimiter"/>), beyond that 429 with Retry-After; every error is a JSON <see cref="ErrorBody"/>
/// naming the field. A bearer token is required when one is set. Stopping stops accepting and answers every accepted
/// request within the drain time.
/// </summary>
public sealed class RewardServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly RewardService _service;
    private readonly ILogger _log;
    private int _stopped;

    private readonly RewardExport _exported;

    private RewardServer(WebApplication app, RewardService service, RewardExport exported, Uri baseUrl)
    {
        _app = app;
        _service = service;
        _exported = exported;
        _log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tailmark.Server.Reward");
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public static async Task<RewardServer> StartAsync(RewardService service, RewardMetrics metrics, RewardServerOptions options, IPAddress? host = null,
        int port = 0,
        ILoggerProvider? logs = null, CancellationToken cancellationToken = default)
    {
        options = options.Validated();
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.Logging.AddSimpleConsole(o => o.SingleLine = true);
        builder.Services.Configure<ConsoleLoggerOptions>(o => o.LogToStandardErrorThreshold = LogLevel.Trace);
        builder.Logging.AddFilter("Microsoft", LogLevel.Error).AddFilter<ConsoleLoggerProvider>("Tailmark", LogLevel.Information);
        if (logs is not null)
        {
            // A caller's own provider (a test's collector) also gets the per-request lines, which are Debug.
            builder.Logging.AddProvider(logs);
            builder.Logging.AddFilter("Tailmark", LogLevel.Debug);
        }
        else
        {
            builder.Logging.AddFilter("Tailmark", LogLevel.Information);
        }
        // The drain is ours (RewardService answers what is unfinished when it ends); the host only must not cut it short.
        builder.Services.Configure<HostOptions>(o => o.ShutdownTimeout = options.DrainTimeout + TimeSpan.FromSeconds(15));
        builder.Services.AddHealthChecks()
            .AddCheck("judge_failing", new RewardHealthChecks.JudgeFailing(service))
            .AddCheck("judge_answers_unusable", new RewardHealthChecks.JudgeAnswersUnusable(service))
            .AddCheck("no_rubric", new RewardHealthChecks.NoRubric(service))
            .AddCheck("verdict_store_unreachable", new RewardHealthChecks.VerdictStoreUnreachable(service))
            .AddCheck("reward_hacking_suspected", new RewardHealthChecks.RewardHackingSuspected(service))
            .AddCheck("audit_stopped", new RewardHealthChecks.AuditStopped(service));
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(host ?? IPAddress.Loopback, port);
            k.Limits.MaxRequestBodySize = options.MaxBodyBytes;
            k.Limits.MinRequestBodyDataRate = new Microsoft.AspNetCore.Server.Kestrel.Core.MinDataRate(options.MinBodyBytesPerSecond, options.BodyRateGrace);
            k.Limits.RequestHeadersTimeout = options.HeadersTimeout;
        });
        var app = builder.Build();
        var log = app.Services.GetRequiredService<ILoggerFactory>().CreateLogger("Tailmark.Server.Reward");
        var admission = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = options.MaxConcurrentRequests,
            QueueLimit = options.QueueLimit,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        var exported = RewardExport.Start(service, metrics, admission);
        var context = new HandlerContext(service, metrics, admission, log, new LogThrottle(TimeSpan.FromSeconds(10), service.Time));

        app.Use((ctx, next) => Errors(ctx, next, metrics, log));
        app.UseStatusCodePages(async status =>
        {
            // Routing's own 404 and 405 have no body: give them ours.
            var ctx = status.HttpContext;
            await WriteError(ctx, metrics, ctx.Response.StatusCode, ctx.Response.StatusCode == 405
                ? $"{ctx.Request.Method} is not allowed on {ctx.Request.Path}"
                    : $"no endpoint {ctx.Request.Method} {ctx.Request.Path}", null).ConfigureAwait(false);
        });
        if (options.Token is { } token) app.Use((ctx, next) => Authenticate(ctx, next, token, options.AllowTokenInPath, metrics));
        app.UseRouting();
        app.MapGet("/health", (Delegate)((HttpContext ctx) => Health(ctx, service)));
        app.MapPrometheusScrapingEndpoint("/metrics", exported.Provider, null, null);
        var peers = new HttpClient();
        app.Lifetime.ApplicationStopped.Register(peers.Dispose);
        app.MapGet("/v1/monitor", (Delegate)((HttpContext ctx) => Monitor(ctx, service, peers)));
        app.MapGet("/v1/audit/cases", () => service.Audit is { } audit
            ? Results.Text(AuditCasesJson.Render(audit), "application/json")
            : Results.Json(new ErrorBody("no reference-judge audit: start serve with --audit-judge", null), RewardWireContext.Default.ErrorBody,
                statusCode: 404));
        app.MapGet("/v1/rubrics/{id}", (string id) => service.ActiveRubric(id) is { } r
            ? Results.Text(RubricJsonWriter.ToJson(r), "application/json")
            : NoRubric(id));
        app.MapGet("/v1/rubrics/{id}/history", (string id) => Online(service).History(id) is { } h
            ? Results.Text(OnlineJson.History(id, h.Versions, h.Active, h.Events), "application/json")
            : NoRubric(id));
        app.MapPost("/v1/rubrics/{id}/rollback", (HttpContext ctx) => RollbackAsync((string)ctx.Request.RouteValues["id"]!, ctx, Online(service)));
        app.MapGet("/v1/refine", () => Results.Text(OnlineJson.Status(Online(service)), "application/json"));
        app.MapPost("/v1/reward", (HttpContext ctx) => context.HandleAsync(ctx, new NativeProtocol()));
        app.MapPost("/get_reward", (HttpContext ctx) => context.HandleAsync(ctx, new OpenRlhfProtocol()));
        app.MapPost("/slime", (HttpContext ctx) => context.HandleAsync(ctx, new SlimeProtocol()));
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        return new RewardServer(app, service, exported, new Uri(address.Replace("[::]", "127.0.0.1", StringComparison.Ordinal)));
    }

    // This replica's monitor; with ?replicas=all, added up with the peers' (each read as its own, so no loop).
    private static async Task<IResult> Monitor(HttpContext ctx, RewardService service, HttpClient peers)
    {
        var scope = ctx.Request.Query["replicas"].ToString();
        if (scope.Length == 0)
        {
            // The refinement state is taken first: the monitor's lock is not held while the prompts' locks are.
            var refinement = service.Online is { } online ? OnlineJson.MonitorPart(online) : null;
            return Results.Text(service.Monitor.RenderJson(refinement), "application/json");
        }
        if (scope != "all") throw new HttpProblem(400, $"replicas must be \"all\" (or absent, for this replica alone), not \"{scope}\"", "replicas");
        var options = service.Options;
        // Named by the address it was reached on (not the Host header, which is the balancer's when read through it).
        var local = ctx.Connection.LocalIpAddress is { } ip ? new IPEndPoint(ip.IsIPv4MappedToIPv6 ? ip.MapToIPv4() : ip, ctx.Connection.LocalPort).ToString()
            : ctx.Request.Host.ToString();
        var self = new ReplicaMonitor(new Uri($"{ctx.Request.Scheme}://{local}/"), service.Monitor.Snapshot(), null);
        var others = await ReplicaMonitors.FetchAsync(peers, options.MonitorPeers, options.Token, TimeSpan.FromSeconds(10),
            ctx.RequestAborted).ConfigureAwait(false);
        return Results.Text(ReplicaMonitors.Render([self, .. others]), "application/json");
    }

    private static IResult NoRubric(string id) =>
        Results.Json(new ErrorBody($"no rubric with id \"{id}\"", "id"), RewardWireContext.Default.ErrorBody, statusCode: 404);

    private static Building.Online.OnlineRefiner Online(RewardService service) =>
        service.Online ?? throw new HttpProblem(404, "online refinement is off: start serve with --refine-online", null);

    // POST /v1/rubrics/{id}/rollback with no body, or {"version"?: N, "reason"?: "…"}: back to N (by default the version the active one came from).
    private static async Task RollbackAsync(string id, HttpContext ctx, Building.Online.OnlineRefiner online)
    {
        int? version = null;
        string? reason = null;
        // Any body is read as JSON whatever its content type (curl -d sends form encoding); no body means the defaults.
        if (ctx.Request.ContentLength is not 0)
        {
            using var doc = await RequestJson.ReadAsync(ctx.Request, 64 * 1024, ctx.RequestAborted).ConfigureAwait(false);
            var wire = WireFields.Envelope(doc.RootElement, RewardWireContext.Default.RollbackWire, "{\"version\"?: N, \"reason\"?: \"…\"}");
            version = wire.Version;
            reason = wire.Reason;
        }
        string body;
        try
        {
            body = OnlineJson.Event(online.Rollback(id, version, reason));
        }
        catch (KeyNotFoundException ex)
        {
            throw new HttpProblem(404, ex.Message, "id");
        }
        catch (ArgumentException ex)
        {
            throw new HttpProblem(409, ex.Message, "version");
        }
        ctx.Response.ContentType = "application/json";
        await ctx.Response.WriteAsync(body, ctx.RequestAborted).ConfigureAwait(false);
    }

    private static async Task<IResult> Health(HttpContext ctx, RewardService service)
    {
        var report = await ctx.RequestServices.GetRequiredService<HealthCheckService>().CheckHealthAsync(ctx.RequestAborted).ConfigureAwait(false);
        var reasons = report.Entries.Where(e => e.Value.Status != HealthStatus.Healthy)
            .Select(e => new HealthReasonWire(e.Key, e.Value.Description ?? e.Value.Status.ToString())).ToList();
        var status = report.Status switch { HealthStatus.Healthy => "ok", HealthStatus.Degraded => "degraded", _ => "unhealthy" };
        var judge = service.JudgeUsage();
        // Degraded stays 200: the server keeps answering (with CannotAssess verdicts, or flagged items), so liveness probes pass.
        return Results.Json(new HealthBody(status, reasons, service.Index.Count, judge.Calls, judge.Failures), RewardWireContext.Default.HealthBody,
            statusCode: report.Status == HealthStatus.Unhealthy ? 503 : 200);
    }

    private static async Task Errors(HttpContext ctx, RequestDelegate next, RewardMetrics metrics, ILogger log)
    {
        try
        {
            await next(ctx).ConfigureAwait(false);
        }
        catch (HttpProblem p)
        {
            if (p.RetryAfter is { } after) ctx.Response.Headers.RetryAfter = ((int)Math.Ceiling(after.TotalSeconds)).ToString(CultureInfo.InvariantCulture);
            await WriteError(ctx, metrics, p.Status, p.Message, p.Field).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (ctx.RequestAborted.IsCancellationRequested)
        {
            // The client went away: nobody to answer.
        }
        catch (BadHttpRequestException ex)
        {
            await WriteError(ctx, metrics, ex.StatusCode, $"bad request: {ex.Message}", "body").ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            RewardLog.Internal(log, ex, ctx.Request.Method, ctx.Request.Path);
            await WriteError(ctx, metrics, 500, $"internal error ({ex.GetType().Name}: {ex.Message}); this is a bug in Tailmark, please report it",
                null).ConfigureAwait(false);
        }
    }

    internal static async Task WriteError(HttpContext ctx, RewardMetrics metrics, int status, string message, string? field)
    {
        metrics.Error(status);
        if (ctx.Response.HasStarted) return;
        ctx.Response.StatusCode = status;
        await ctx.Response.WriteAsJsonAsync(new ErrorBody(message, field), RewardWireContext.Default.ErrorBody,
            cancellationToken: CancellationToken.None).ConfigureAwait(false);
    }

    /// <summary>
    /// The bearer token, from <c>Authorization: Bearer TOKEN</c> (the scheme in any case), or — when allowed — as the
    /// path prefix <c>/t/TOKEN/</c>, which is then removed before routing. Compared in constant time.
    /// </summary>
    private static async Task Authenticate(HttpContext ctx, RequestDelegate next, string token, bool allowInPath, RewardMetrics metrics)
    {
        var path = ctx.Request.Path.Value ?? "";
        if (allowInPath && path.StartsWith("/t/", StringComparison.Ordinal))
        {
            var end = path.IndexOf('/', 3);
            var candidate = end < 0 ? path[3..] : path[3..end];
            if (Same(candidate, token))
            {
                ctx.Request.Path = end < 0 ? "/" : path[end..];
                await next(ctx).ConfigureAwait(false);
                return;
            }
        }
        else if (path == "/health" || Bearer(ctx.Request.Headers.Authorization.ToString()) is { } given && Same(given, token))
        {
            await next(ctx).ConfigureAwait(false);
            return;
        }
        ctx.Response.Headers.WWWAuthenticate = "Bearer";
        await WriteError(ctx, metrics, 401, "a bearer token is required (Authorization: Bearer TOKEN" + (allowInPath ? ", or the path prefix /t/TOKEN/)" : ")"),
            "Authorization").ConfigureAwait(false);
    }

    private static string? Bearer(string header)
    {
        var space = header.IndexOf(' ', StringComparison.Ordinal);
        return space > 0 && header[..space].Equals("Bearer", StringComparison.OrdinalIgnoreCase) ? header[(space + 1)..].Trim() : null;
    }

    private static bool Same(string given, string token) =>
        CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(given)), SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    /// <summary>Stops accepting connections and answers every accepted request within the drain time; then the server is down.</summary>
    public async Task StopAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 1) return;
        RewardLog.Draining(_log, _service.Options.DrainTimeout.TotalSeconds);
        _service.BeginStop(_service.Options.DrainTimeout);
        await _app.StopAsync().ConfigureAwait(false);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
        _exported.Dispose();
    }

    public Task WaitForShutdownAsync(CancellationToken cancellationToken) => _app.WaitForShutdownAsync(cancellationToken);

    /// <summary>What every reward handler shares: the walk, the counters, admission and the throttled warnings.</summary>
    private sealed class HandlerContext(RewardService service, RewardMetrics metrics, ConcurrencyLimiter admission, ILogger log, LogThrottle nothingFound)
    {
        public async Task HandleAsync(HttpContext ctx, IRewardProtocol protocol)
        {
            var started = service.Time.GetTimestamp();
            var options = service.Options;
            metrics.Request(protocol.Name);
            RewardRequest request;
            using (var doc = await RequestJson.ReadAsync(ctx.Request, options.MaxBodyBytes, ctx.RequestAborted).ConfigureAwait(false))
            {
                request = protocol.Parse(doc.RootElement, service);
            }
            if (request.Items.Count > options.MaxItemsPerRequest)
            {
                throw new HttpProblem(413,
                    $"{request.ItemField}: {request.Items.Count} items, more than the limit of {options.MaxItemsPerRequest} per request (serve --max-items)",
                    request.ItemField);
            }
            using var lease = await Admit(ctx).ConfigureAwait(false);
            var batch = await service.RewardAsync(request.Items, request.Deadline, ctx.RequestAborted).ConfigureAwait(false);
            var id = ctx.TraceIdentifier;
            if (batch.NothingFound && nothingFound.TryPass(out var suppressed))
            {
                RewardLog.NothingFound(log, protocol.Name, id, batch.Results[0].Reason ?? "", suppressed);
            }
            var missed = batch.Results.Count(r => r.Ungraded == UngradedKind.Deadline);
            if (missed > 0) RewardLog.DeadlineMissed(log, protocol.Name, id, missed, batch.Results.Count,
                (request.Deadline ?? options.Deadline).TotalMilliseconds);
            await protocol.WriteAsync(ctx, request, batch, service).ConfigureAwait(false);
            var elapsed = service.Time.GetElapsedTime(started);
            metrics.Latency(elapsed);
            RewardLog.Answered(log, batch.Ungraded > 0 ? LogLevel.Information : LogLevel.Debug, protocol.Name, id, batch.Results.Count, batch.Ungraded,
                elapsed.TotalMilliseconds);
        }

        private async Task<RateLimitLease> Admit(HttpContext ctx)
        {
            using var wait = CancellationTokenSource.CreateLinkedTokenSource(ctx.RequestAborted, service.Stopped);
            RateLimitLease lease;
            try
            {
                lease = await admission.AcquireAsync(1, wait.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (service.Stopped.IsCancellationRequested && !ctx.RequestAborted.IsCancellationRequested)
            {
                throw new HttpProblem(503, "the reward server stopped before this request's turn came; retry on another server or after the restart", null,
                    TimeSpan.FromSeconds(1));
            }
            if (!lease.IsAcquired)
            {
                lease.Dispose();
                throw new HttpProblem(429, "the reward server is at capacity; retry later", null, TimeSpan.FromSeconds(1));
            }
            return lease;
        }
    }
}
