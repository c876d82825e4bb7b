using System.ClientModel;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Polly;
using Polly.RateLimiting;
using Polly.Retry;
using Polly.Timeout;

namespace Tailmark.Llm;

/// <summary>
/// An endpoint's limits as one Polly pipeline, outermost first: at most <c>Concurrency</c> calls in flight (a
/// concurrency limiter with an unbounded queue, held through the call's retries); the requests- and tokens-per-minute
/// buckets (a call's tokens estimated as characters ÷ 4 plus its output budget; a call larger than the whole bucket waits
/// for a full one); bounded retries with exponential backoff and jitter that honour the server's <c>retry-after-ms</c> /
/// <c>Retry-After</c> (capped at the maximum delay); and a timeout per attempt. Retries 408, 409, 429, 5xx, network
/// errors and timeouts; anything else fails at once. A call that fails for good becomes an
/// <see cref="LlmCallException"/> naming the endpoint; cancellation passes through as itself.
/// </summary>
public sealed partial class ResilienceChatClient : DelegatingChatClient
{
    private readonly EndpointSpec _spec;
    private readonly ResiliencePipeline _pipeline;
    private readonly ConcurrencyLimiter _gate;
    private readonly TokenBucketRateLimiter? _requests;
    private readonly TokenBucketRateLimiter? _tokens;
    private readonly ILogger _log;
    private readonly bool _routed;

    private static readonly ResiliencePropertyKey<int> EstimatedTokens = new("tailmark.estimated_tokens");

    /// <param name="inner">The stages below: the request's shaping and the HTTP call.</param>
    /// <param name="spec">The endpoint and its limits.</param>
    /// <param name="meter">Where retries are counted (null: nowhere).</param>
    /// <param name="time">The clock of backoff delays and timeouts.</param>
    /// <param name="loggers">Where each retry is logged (null: nowhere).</param>
    public ResilienceChatClient(IChatClient inner, EndpointSpec spec, UsageMeter? meter = null, TimeProvider? time = null, ILoggerFactory? loggers = null)
        : base(inner)
    {
        _spec = spec;
        time ??= TimeProvider.System;
        _log = (ILogger?)loggers?.CreateLogger<ResilienceChatClient>() ?? NullLogger.Instance;
        var limits = spec.Limits.Validated();
        var builder = new ResiliencePipelineBuilder { TimeProvider = time, Name = spec.Name };
        _gate = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = limits.Concurrency,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
        builder.AddRateLimiter(_gate);
        if (limits.RequestsPerMinute is { } rpm)
        {
            _requests = new TokenBucketRateLimiter(PerMinute(rpm));
            builder.AddRateLimiter(new RateLimiterStrategyOptions { RateLimiter = args => _requests.AcquireAsync(1, args.Context.CancellationToken) });
        }
        if (limits.TokensPerMinute is { } tpm)
        {
            _tokens = new TokenBucketRateLimiter(PerMinute(tpm));
            builder.AddRateLimiter(new RateLimiterStrategyOptions
            {
                RateLimiter = args => _tokens.AcquireAsync(Math.Min(args.Context.Properties.GetValue(EstimatedTokens, 1), tpm), args.Context.CancellationToken),
            });
        }
        if (limits.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder()
                    .Handle<ClientResultException>(e => IsTransient(e.Status))
                    .Handle<HttpRequestException>()
                    .Handle<IOException>()
                    .Handle<TimeoutRejectedException>(),
                MaxRetryAttempts = limits.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = limits.BaseDelay,
                MaxDelay = limits.MaxDelay,
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Exception is ClientResultException e ? RetryAfter(e, limits.MaxDelay) : null),
                OnRetry = args =>
                {
                    meter?.Retry();
                    LogRetry(_log, _spec.Name, args.AttemptNumber + 1, args.Outcome.Exception is { } ex ? Describe(ex) : "no answer",
                        args.RetryDelay.TotalMilliseconds);
                    return default;
                },
            });
        }
        _pipeline = builder.AddTimeout(limits.Timeout).Build();
        _routed = inner.GetService<ReplicaRouterChatClient>() is not null;
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? [.. messages];
        var context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            if (_tokens is not null) context.Properties.Set(EstimatedTokens, EstimateTokens(list, options));
            if (_routed) options = WithTrail(options, cancellationToken);
            return await _pipeline.ExecuteAsync(
                static async (ctx, state) => await state.Self.InnerGetAsync(state.List, state.Options, ctx.CancellationToken).ConfigureAwait(false),
                context, (Self: this, List: list, Options: options)).ConfigureAwait(false);
        }
        catch (Exception ex) when (ex is ClientResultException or HttpRequestException or IOException or TimeoutRejectedException
            or RateLimiterRejectedException)
        {
            throw new LlmCallException($"{_spec.Name}: {Describe(ex)}", ex) { Problem = Describe(ex) };
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    // The replica router below reads the call's attempts from its trail: a retry prefers a replica not yet tried.
    private static ChatOptions WithTrail(ChatOptions? options, CancellationToken callerToken)
    {
        var copy = options?.Clone() ?? new ChatOptions();
        (copy.AdditionalProperties ??= [])[ChatOptionKeys.ReplicaTrail] = new ReplicaTrail(callerToken);
        return copy;
    }

    private Task<ChatResponse> InnerGetAsync(IList<ChatMessage> messages, ChatOptions? options, CancellationToken ct) =>
        base.GetResponseAsync(messages, options, ct);

    public override IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Tailmark does not stream judge, proposer or generator answers");

    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(EndpointSpec) ? _spec : base.GetService(serviceType, serviceKey);

    private static bool IsTransient(int status) => status is 0 or 408 or 409 or 429 or >= 500;

    /// <summary>What went wrong with a call, in one line, without the endpoint's name.</summary>
    internal static string Describe(Exception ex) => ex switch
    {
        ClientResultException { Status: 0 } c => $"network error: {FirstLine(c.Message)}", // no answer, so no status
        // The SDK's message usually starts with the status already ("HTTP 404 (invalid_request_error: …)").
        ClientResultException c when FirstLine(c.Message).StartsWith($"HTTP {c.Status}", StringComparison.Ordinal) => FirstLine(c.Message),
        ClientResultException c => $"HTTP {c.Status}: {FirstLine(c.Message)}",
        TimeoutRejectedException => "timed out on every attempt",
        RateLimiterRejectedException => "the rate limiter refused the call",
        _ => FirstLine(ex.Message),
    };

    private static string FirstLine(string s) => s.Split('\n')[0].Trim();

    /// <summary>The delay the server asked for: retry-after-ms, else Retry-After in seconds; capped.</summary>
    private static TimeSpan? RetryAfter(ClientResultException e, TimeSpan cap)
    {
        var headers = e.GetRawResponse()?.Headers;
        if (headers is null) return null;
        if (headers.TryGetValue("retry-after-ms", out var ms) && double.TryParse(ms, NumberStyles.Float, CultureInfo.InvariantCulture, out var m) && m >= 0)
        {
            return TimeSpan.FromMilliseconds(Math.Min(m, cap.TotalMilliseconds));
        }
        if (headers.TryGetValue("Retry-After", out var s) && double.TryParse(s, NumberStyles.Float, CultureInfo.InvariantCulture, out var sec) && sec >= 0)
        {
            return TimeSpan.FromSeconds(Math.Min(sec, cap.TotalSeconds));
        }
        return null;
    }

    /// <summary>
    /// A bucket of PER_MINUTE that starts full and refills at exactly that rate: whole tokens at the shortest period that
    /// allows it (10 a second for 600 a minute, one every 30 seconds for 2 a minute). The buckets refill by the system
    /// clock: System.Threading.RateLimiting's token bucket reads it even when refilled by hand.
    /// </summary>
    internal static TokenBucketRateLimiterOptions PerMinute(int perMinute)
    {
        var tokens = Math.Max(1, perMinute / 60);
        return new TokenBucketRateLimiterOptions
        {
            TokenLimit = perMinute,
            TokensPerPeriod = tokens,
            ReplenishmentPeriod = TimeSpan.FromMinutes(1) * tokens / perMinute,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
            AutoReplenishment = true,
        };
    }

    /// <summary>A rough token estimate for the tokens-per-minute bucket: characters ÷ 4 plus the output budget.</summary>
    private static int EstimateTokens(IList<ChatMessage> messages, ChatOptions? options) =>
        messages.Sum(m => m.Text.Length) / 4 + (options?.MaxOutputTokens ?? 256);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Endpoint}: attempt {Attempt} failed ({Problem}); retrying in {DelayMs:0} ms")]
    private static partial void LogRetry(ILogger logger, string endpoint, int attempt, string problem, double delayMs);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _gate.Dispose();
            _requests?.Dispose();
            _tokens?.Dispose();
        }
        base.Dispose(disposing);
    }
}
