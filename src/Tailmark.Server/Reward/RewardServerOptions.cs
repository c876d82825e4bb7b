using System.Collections.Immutable;
using Tailmark.Server.Reward.Text;

namespace Tailmark.Server.Reward;

/// <summary>Limits and policies of the reward server (docs/server.md names the matching <c>serve</c> options).</summary>
public sealed record RewardServerOptions
{
    /// <summary>Bearer token required on every request but /health when set.</summary>
    public string? Token { get; init; }

    /// <summary>Also accept the token as the first path segments, <c>/t/TOKEN/…</c>, for clients that cannot send headers (OpenRLHF).</summary>
    public bool AllowTokenInPath { get; init; }

    /// <summary>Requests graded at once; more wait in the queue.</summary>
    public int MaxConcurrentRequests { get; init; } = 64;

    /// <summary>Requests that may wait; beyond that the server answers 429 with Retry-After.</summary>
    public int QueueLimit { get; init; } = 256;

    /// <summary>Items graded at once over all requests. An item not started by its request's deadline is not started at all.</summary>
    public int GradingSlots { get; init; } = 256;

    /// <summary>How long a request may take before unfinished items are answered as not graded (flagged).</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(120);

    /// <summary>On stop, how long the requests already accepted may take; then their unfinished items are answered as not graded.</summary>
    public TimeSpan DrainTimeout { get; init; } = TimeSpan.FromSeconds(60);

    public long MaxBodyBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>Items one request may carry; a request with more gets 413.</summary>
    public int MaxItemsPerRequest { get; init; } = 100_000;

    /// <summary>A request body arriving slower than this (bytes per second, after <see cref="BodyRateGrace"/>) is cut off: a slow client cannot hold a
    /// slot.</summary>
    public double MinBodyBytesPerSecond { get; init; } = 240;

    public TimeSpan BodyRateGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Request headers not complete within this time close the connection (slowloris).</summary>
    public TimeSpan HeadersTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>For OpenRLHF and slime: what a request gets when none of its items found a rubric (default: an error).</summary>
    public UngradedPolicy NoRubric { get; init; } = UngradedPolicy.Error;

    /// <summary>For OpenRLHF and slime: the flagged number (or error) an ungraded item gets otherwise.</summary>
    public UngradedPolicy Ungraded { get; init; } = UngradedPolicy.Fixed(0);

    /// <summary>End tokens removed from the end of every response, and whether reasoning blocks are kept.</summary>
    public ImmutableArray<string> EndTokens { get; init; } = ResponseCleaner.DefaultEndTokens;

    public bool KeepReasoning { get; init; }

    /// <summary>
    /// The other replicas behind the same balancer (their base URLs): <c>GET /v1/monitor?replicas=all</c> reads their
    /// monitors, with this server's token, and adds them to this one's.
    /// </summary>
    public ImmutableArray<Uri> MonitorPeers { get; init; } = [];

    public RewardServerOptions Validated()
    {
        if (MaxConcurrentRequests < 1) throw new ArgumentOutOfRangeException(nameof(MaxConcurrentRequests), MaxConcurrentRequests, "at least 1");
        if (QueueLimit < 0) throw new ArgumentOutOfRangeException(nameof(QueueLimit), QueueLimit, "0 or more");
        if (GradingSlots < 1) throw new ArgumentOutOfRangeException(nameof(GradingSlots), GradingSlots, "at least 1");
        if (Deadline <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Deadline), Deadline, "positive");
        if (DrainTimeout < TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(DrainTimeout), DrainTimeout, "0 or more");
        if (MinBodyBytesPerSecond <= 0) throw new ArgumentOutOfRangeException(nameof(MinBodyBytesPerSecond), MinBodyBytesPerSecond, "positive");
        if (BodyRateGrace <= TimeSpan.FromSeconds(1)) throw new ArgumentOutOfRangeException(nameof(BodyRateGrace), BodyRateGrace,
            "more than 1 s (Kestrel's minimum)");
        if (HeadersTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(HeadersTimeout), HeadersTimeout, "positive");
        if (MaxBodyBytes < 1024) throw new ArgumentOutOfRangeException(nameof(MaxBodyBytes), MaxBodyBytes, "at least 1 KiB");
        if (MaxItemsPerRequest < 1) throw new ArgumentOutOfRangeException(nameof(MaxItemsPerRequest), MaxItemsPerRequest, "at least 1");
        if (Token is { } t && (t.Length == 0 || t.Any(char.IsWhiteSpace))) throw new ArgumentOutOfRangeException(nameof(Token), "(hidden)",
            "a non-empty token without white space");
        return this;
    }
}
