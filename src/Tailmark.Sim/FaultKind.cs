namespace Tailmark.Sim;

public enum FaultKind
{
    /// <summary>429 Too Many Requests with Retry-After.</summary>
    RateLimited,
    /// <summary>500 or 503.</summary>
    ServerError,
    /// <summary>No answer until the client gives up.</summary>
    Hang,
    /// <summary>A 200 whose content is broken JSON.</summary>
    Malformed,
    /// <summary>A 200 cut short, finish_reason "length".</summary>
    Truncate,
}
