namespace Tailmark.Llm;

/// <summary>
/// Per-endpoint limits, validated when created: concurrent calls, requests and tokens per minute (null = no
/// limit), the timeout of one attempt, and bounded retries with exponential backoff and jitter.
/// </summary>
public sealed record EndpointLimits
{
    public int Concurrency { get; init; } = 32;
    public int? RequestsPerMinute { get; init; }
    public int? TokensPerMinute { get; init; }
    public TimeSpan Timeout { get; init; } = TimeSpan.FromSeconds(60);
    public int MaxRetries { get; init; } = 5;
    public TimeSpan BaseDelay { get; init; } = TimeSpan.FromMilliseconds(250);
    public TimeSpan MaxDelay { get; init; } = TimeSpan.FromSeconds(30);

    public EndpointLimits Validated()
    {
        if (Concurrency < 1) throw new ArgumentOutOfRangeException(nameof(Concurrency), Concurrency, "at least 1");
        if (RequestsPerMinute is < 1) throw new ArgumentOutOfRangeException(nameof(RequestsPerMinute), RequestsPerMinute, "at least 1 when set");
        if (TokensPerMinute is < 1) throw new ArgumentOutOfRangeException(nameof(TokensPerMinute), TokensPerMinute, "at least 1 when set");
        if (Timeout <= TimeSpan.Zero) throw new ArgumentOutOfRangeException(nameof(Timeout), Timeout, "positive");
        if (MaxRetries is < 0 or > 20) throw new ArgumentOutOfRangeException(nameof(MaxRetries), MaxRetries, "between 0 and 20");
        if (BaseDelay < TimeSpan.Zero || MaxDelay < BaseDelay) throw new ArgumentOutOfRangeException(nameof(BaseDelay), BaseDelay,
            "0 ≤ base delay ≤ max delay");
        return this;
    }
}
