namespace Tailmark.Storage;

/// <summary>
/// A store shared by several processes that can tell them who is judging what (PostgreSQL): a lease is a row with an
/// expiry, taken by one process for the verdicts of one response, so that a second process grading the same response
/// at the same time waits for the first's verdicts instead of asking the judge again. The holder keeps its leases
/// alive while it judges; a holder that dies lets them expire, and the waiter then judges itself (nothing is lost, the
/// wait is bounded). <see cref="VerdictCache.ClaimAsync"/> is the one user.
/// </summary>
public interface IVerdictLeases
{
    /// <summary>
    /// Tries to take the lease KEY (a 64-digit hex key, as verdict keys are) for HOLD, renewed until released — unless
    /// every one of VERDICTS (the keys to be judged under it) is stored already: another process judged them between
    /// this one's lookup and its claim (<see cref="LeaseTake.Done"/>). One round trip.
    /// </summary>
    ValueTask<LeaseTake> TryTakeAsync(string key, TimeSpan hold, IReadOnlyList<string> verdicts, CancellationToken cancellationToken = default);

    /// <summary>Gives the lease KEY back once every verdict given to the store before this call is written (waiters then find them).</summary>
    void Release(string key);
}
