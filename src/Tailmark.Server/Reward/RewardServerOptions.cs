namespace Tailmark.Server.Reward;

/// <summary>The reward server's limits and policies, validated at start-up.</summary>
public sealed record RewardServerOptions
{
    /// <summary>Bearer token required on every request but /health when set.</summary>
    public string? Token { get; init; }

    /// <summary>Requests graded at once; more wait in the queue.</summary>
    public int MaxConcurrentRequests { get; init; } = 64;

    /// <summary>Requests that may wait; beyond that the server answers 429 with Retry-After.</summary>
    public int QueueLimit { get; init; } = 256;

    /// <summary>How long a request may take before unfinished items are answered as not graded (flagged).</summary>
    public TimeSpan Deadline { get; init; } = TimeSpan.FromSeconds(120);

    public long MaxBodyBytes { get; init; } = 32L * 1024 * 1024;

    /// <summary>A request body arriving slower than this (bytes per second, after <see cref="BodyRateGrace"/>) is cut off: a slow client cannot hold a slot.</summary>
    public double MinBodyBytesPerSecond { get; init; } = 240;

    public TimeSpan BodyRateGrace { get; init; } = TimeSpan.FromSeconds(10);

    /// <summary>Request headers not complete within this time close the connection (slowloris).</summary>
    public TimeSpan HeadersTimeout { get; init; } = TimeSpan.FromSeconds(30);

    /// <summary>The reward given (flagged) to an item whose prompt has no rubric; null answers with a per-item error.</summary>
    public double? FallbackReward { get; init; }

    public RewardServerOptions Validated()
    {
        if (MaxConcurrentRequests < 1) throw new ArgumentOutOfRangeException(nameof(MaxConcurrentRequests), MaxConcurrentRequests, "at least 1");
        if (QueueLimit < 0) throw new ArgumentOutOfRangeException(nameof(QueueLimit), QueueLimit, "0 or more");
        if (Deadline <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Deadline), Deadline, "positive");
        if (MinBodyBytesPerSecond <= 0) throw new ArgumentOutOfRangeException(nameof(MinBodyBytesPerSecond), MinBodyBytesPerSecond, "positive");
        if (BodyRateGrace <= TimeSpan.FromSeconds(1)) throw new ArgumentOutOfRangeException(nameof(BodyRateGrace), BodyRateGrace, "more than 1 s (Kestrel's minimum)");
        if (HeadersTimeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(HeadersTimeout), HeadersTimeout, "positive");
        if (MaxBodyBytes < 1024) throw new ArgumentOutOfRangeException(nameof(MaxBodyBytes), MaxBodyBytes, "at least 1 KiB");
        return this;
    }
}
