namespace Tailmark.Storage;

/// <summary>
/// How the cache's leases went since it was opened (<see cref="VerdictCache.Leases"/>), for the server's metrics.
/// </summary>
/// <param name="Taken">Responses this process judged under a lease.</param>
/// <param name="Waited">Responses whose lease another process held, so this one waited.</param>
/// <param name="Served">Verdicts that arrived from the holder while waiting (judge calls saved).</param>
/// <param name="Expired">Waits that ended with the holder's lease expired or the wait's bound reached: this process judged itself.</param>
/// <param name="Unavailable">Claims made without a lease because the store could not be asked.</param>
public sealed record VerdictLeaseStats(long Taken, long Waited, long Served, long Expired, long Unavailable);
