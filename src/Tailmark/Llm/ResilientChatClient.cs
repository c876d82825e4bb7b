using System.ClientModel;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.Extensions.AI;
using Polly;
using Polly.Retry;
using Polly.Timeout;

namespace Tailmark.Llm;

/// <summary>
/// Wraps an endpoint's <see cref="IChatClient"/> with its limits: at most <c>Concurrency</c> calls in flight,
/// requests- and tokens-per-minute buckets, a timeout per attempt, and bounded retries with exponential backoff
/// and jitter (Polly) that honour the server's <c>retry-after-ms</c> / <c>Retry-After</c>. Retries 408, 409, 429,
/// 5xx, network errors and timeouts; anything else fails at once. Every call, retry and failure is counted.
/// </summary>
public sealed class ResilientChatClient : DelegatingChatClient
{
    private readonly SemaphoreSlim _gate;
    private readonly TokenBucketRateLimiter? _requests;
    private readonly TokenBucketRateLimiter? _tokens;
    private readonly ResiliencePipeline _pipeline;

    public ResilientChatClient(IChatClient inner, EndpointSpec spec) : base(inner)
    {
        Spec = spec;
        var limits = spec.Limits.Validated();
        Meter = new UsageMeter(spec.Prices);
        _gate = new SemaphoreSlim(limits.Concurrency, limits.Concurrency);
        _requests = limits.RequestsPerMinute is { } rpm ? PerMinute(rpm) : null;
        _tokens = limits.TokensPerMinute is { } tpm ? PerMinute(tpm) : null;
        var builder = new ResiliencePipelineBuilder();
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
                OnRetry = _ =>
                {
                    Meter.Retry();
                    return default;
                },
            });
        }
        _pipeline = builder.AddTimeout(limits.Timeout).Build();
        _requestLimit = limits.RequestsPerMinute ?? 0;
        _tokenLimit = limits.TokensPerMinute ?? 0;
    }

    private readonly int _requestLimit;
    private readonly int _tokenLimit;

    public EndpointSpec Spec { get; }

    public UsageMeter Meter { get; }

    /// <summary>
    /// When set, once this many calls have failed and none has succeeded — or this many answers have been unusable
    /// (<see cref="NoteAnswer"/>) and none usable — calls throw <see cref="EndpointUnusableException"/> instead of failing
    /// one by one: a batch job against a server that rejects every call (a model it does not serve, a parameter it
    /// refuses), or that answers every call with text nothing can be read from, stops early. Null (the reward server)
    /// never stops; it reports the counts instead.
    /// </summary>
    public int? FailFastAfter { get; init; }

    /// <summary>
    /// Records whether the answer to one question — after the caller's repair turn and fresh attempt — could be used
    /// (a verdict, a rubric read from it). An unusable answer counts towards <see cref="FailFastAfter"/> and in
    /// <see cref="Usage.UnusableAnswers"/>; DESCRIPTION (clipped answer text, and what went wrong) goes into the message
    /// that stops the job.
    /// </summary>
    /// <exception cref="EndpointUnusableException">The endpoint has given only unusable answers, as many as <see cref="FailFastAfter"/>.</exception>
    public void NoteAnswer(bool usable, string? description = null)
    {
        Meter.Answer(usable);
        if (usable) return;
        if (FailFastAfter is not null) _lastUnusable = description;
        ThrowIfUnusable(null);
    }

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null, CancellationToken cancellationToken = default)
    {
        var list = messages as IList<ChatMessage> ?? [.. messages];
        ThrowIfUnusable(null);
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            await Acquire(_requests, 1, _requestLimit, cancellationToken).ConfigureAwait(false);
            await Acquire(_tokens, EstimateTokens(list, options), _tokenLimit, cancellationToken).ConfigureAwait(false);
            var response = await _pipeline.ExecuteAsync(
                async ct => await base.GetResponseAsync(list, options, ct).ConfigureAwait(false), cancellationToken).ConfigureAwait(false);
            Meter.Call(response.Usage?.InputTokenCount ?? 0, response.Usage?.CachedInputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0);
            return response;
        }
        catch (Exception ex) when (ex is ClientResultException or HttpRequestException or IOException or TimeoutRejectedException)
        {
            if (FailFastAfter is not null) _lastFailure = Describe(ex);
            Meter.Failure();
            ThrowIfUnusable(ex);
            throw new LlmCallException($"{Spec.Name}: {Describe(ex)}", ex);
        }
        finally
        {
            _gate.Release();
        }
    }

    private void ThrowIfUnusable(Exception? inner)
    {
        if (FailFastAfter is not { } limit) return;
        if (Meter.FailuresWithoutAnyCall is var failed && failed >= limit)
        {
            throw new EndpointUnusableException($"{Spec.Name}: the first {failed} calls all failed and none succeeded (the last: {_lastFailure}); stopped — fix the endpoint and rerun", inner);
        }
        if (Meter.UnusableWithoutAnyUsable is var unusable && unusable >= limit)
        {
            throw new EndpointUnusableException($"{Spec.Name}: the first {unusable} answers could not be used and none could (the last: {_lastUnusable}); " +
                "stopped — the endpoint answers, but not in a form Tailmark can read. Try structured_output: json_schema or json_object for it " +
                "(endpoints file, or --structured-output), and for a reasoning model a reasoning allowance (reasoning_tokens, or --reasoning-tokens) " +
                "and the server's reasoning parser (docs/llm.md lists the flags each engine needs)", inner);
        }
    }

    // The latest failure's and unusable answer's descriptions, for the message that stops a job (kept only when
    // FailFastAfter is set).
    private volatile string? _lastFailure;
    private volatile string? _lastUnusable;

    private static bool IsTransient(int status) => status is 0 or 408 or 409 or 429 or >= 500;

    private static string Describe(Exception ex) => ex switch
    {
        ClientResultException { Status: 0 } c => $"network error: {FirstLine(c.Message)}", // no answer, so no status
        // The SDK's message usually starts with the status already ("HTTP 404 (invalid_request_error: …)").
        ClientResultException c when FirstLine(c.Message).StartsWith($"HTTP {c.Status}", StringComparison.Ordinal) => FirstLine(c.Message),
        ClientResultException c => $"HTTP {c.Status}: {FirstLine(c.Message)}",
        TimeoutRejectedException => "timed out on every attempt",
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

    private static TokenBucketRateLimiter PerMinute(int perMinute) => new(new TokenBucketRateLimiterOptions
    {
        TokenLimit = perMinute,
        TokensPerPeriod = Math.Max(1, perMinute / 60),
        ReplenishmentPeriod = TimeSpan.FromSeconds(1),
        QueueLimit = int.MaxValue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        AutoReplenishment = true,
    });

    // A call larger than the whole bucket waits for a full bucket rather than failing.
    private static async Task Acquire(TokenBucketRateLimiter? limiter, int permits, int limit, CancellationToken ct)
    {
        if (limiter is null) return;
        using var lease = await limiter.AcquireAsync(Math.Min(permits, limit), ct).ConfigureAwait(false);
        if (!lease.IsAcquired) throw new LlmCallException("rate limiter refused the call");
    }

    /// <summary>A rough token estimate for the tokens-per-minute bucket: characters ÷ 4 plus the output budget.</summary>
    private static int EstimateTokens(IList<ChatMessage> messages, ChatOptions? options) =>
        messages.Sum(m => m.Text.Length) / 4 + (options?.MaxOutputTokens ?? 256);

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
