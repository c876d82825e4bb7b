namespace Tailmark.Storage;

/// <summary>
/// Where verdicts are kept across runs and processes, by content address (<see cref="VerdictCacheKey"/>). The judge
/// engine never talks to a store directly: <see cref="VerdictCache"/> is the one in-memory front before it.
/// </summary>
/// <remarks>
/// The contract every store keeps (tested against each by the same tests, <c>VerdictStoreContract</c>):
/// <list type="bullet">
/// <item>Only met / not-met verdicts with finite numbers are stored (<see cref="CachedVerdict.IsStorable"/>;
/// CannotAssess cannot even be expressed), so a rerun asks again what failed.</item>
/// <item><see cref="FindAsync"/> answers all the keys it is given in one round trip, in their order; a key never
/// stored, or a row that does not hold a verdict (edited by hand, another tool's), is a miss (null).</item>
/// <item>A key holds one verdict: storing it again keeps one of the two (the same key is the same question).</item>
/// <item>What <see cref="Put"/> was given survives the process being killed, except the verdicts still in flight:
/// SQLite commits before <see cref="Put"/> returns (nothing lost); PostgreSQL writes behind, in batches, and loses at
/// most what was queued and not yet committed (<see cref="VerdictStoreHealth.Pending"/>).</item>
/// <item>A store that cannot serve when it is opened — a damaged, read-only or full SQLite file; a PostgreSQL
/// server that refuses the login, lacks the database or holds a newer schema — is an
/// <see cref="Io.InputException"/> naming it (never with a password). Once open, SQLite failures stay input errors
/// (the file went bad), while a PostgreSQL outage degrades instead of failing: lookups become misses, writes wait
/// in a bounded queue, a warning is given, and the store reconnects when the server returns
/// (<see cref="Health"/>).</item>
/// </list>
/// </remarks>
public interface IVerdictStore : IDisposable
{
    /// <summary>Where the store is, as messages may show it: a file path, or a PostgreSQL URL without its password.</summary>
    string Location { get; }

    /// <summary>The verdicts stored under KEYS, in one round trip: element i answers keys[i] (null: a miss).</summary>
    ValueTask<CachedVerdict?[]> FindAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default);

    /// <summary>Stores verdicts under their keys (each must be <see cref="CachedVerdict.IsStorable"/>).</summary>
    void Put(IReadOnlyList<KeyValuePair<string, CachedVerdict>> verdicts);

    /// <summary>Waits until every verdict given to <see cref="Put"/> so far is durable (or given up, during an outage).</summary>
    Task FlushAsync(CancellationToken cancellationToken = default);

    Task<VerdictStoreStats> StatsAsync(CancellationToken cancellationToken = default);

    /// <summary>Deletes verdicts stored before <paramref name="before"/> (all of them when null); returns how many.</summary>
    Task<long> PruneAsync(DateTimeOffset? before, CancellationToken cancellationToken = default);

    VerdictStoreHealth Health { get; }
}
