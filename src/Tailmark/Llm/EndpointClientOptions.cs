using Microsoft.Extensions.Logging;

namespace Tailmark.Llm;

/// <summary>How <see cref="EndpointClient"/> builds an endpoint's client pipeline beyond its spec.</summary>
public sealed record EndpointClientOptions
{
    public static readonly EndpointClientOptions Default = new();

    /// <summary>
    /// When set, a batch job stops once this many calls have failed with none answered, or this many answers have been
    /// unusable with none usable (<see cref="FailFastChatClient"/>). Null (the reward server) never stops; the counts are
    /// still kept for its health.
    /// </summary>
    public int? FailFastAfter { get; init; }

    /// <summary>Where to say, once, that <c>auto</c>'s fallback changed what the endpoint is asked for.</summary>
    public Action<string>? Notice { get; init; }

    /// <summary>
    /// Logs of every call (Microsoft.Extensions.AI's logging stage: Debug and, with messages, Trace), of retries and of
    /// OpenTelemetry events; null: none.
    /// </summary>
    public ILoggerFactory? LoggerFactory { get; init; }

    /// <summary>The clock of backoff delays and per-attempt timeouts (the rate limits' buckets refill by the system clock).</summary>
    public TimeProvider TimeProvider { get; init; } = TimeProvider.System;
}
