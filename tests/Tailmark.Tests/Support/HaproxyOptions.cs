namespace Tailmark.Tests.Support;

/// <summary>How <see cref="HaproxyServer"/> balances: the settings issue 18's replica tests vary.</summary>
public sealed record HaproxyOptions
{
    /// <summary>HAProxy's <c>balance</c> algorithm: roundrobin, leastconn, uri, hdr(NAME), …</summary>
    public string Balance { get; init; } = "roundrobin";

    /// <summary>Connection attempts per request (<c>retries</c>); with <see cref="Redispatch"/> the last goes to another server.</summary>
    public int Retries { get; init; } = 3;

    public bool Redispatch { get; init; } = true;

    /// <summary>HAProxy's <c>retry-on</c> (e.g. "all-retryable-errors", which also retries a request whose server died mid-answer); none by default.</summary>
    public string? RetryOn { get; init; }

    /// <summary>A path checked on every server (<c>option httpchk</c>, e.g. "/health"); none: servers are not checked.</summary>
    public string? HealthCheckPath { get; init; }

    public TimeSpan CheckInterval { get; init; } = TimeSpan.FromMilliseconds(200);

    public TimeSpan ConnectTimeout { get; init; } = TimeSpan.FromSeconds(2);

    public TimeSpan RequestTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>More lines for the backend section, as written.</summary>
    public IReadOnlyList<string> BackendLines { get; init; } = [];
}
