using System.Collections.Concurrent;
using System.Diagnostics.CodeAnalysis;

namespace Tailmark.Storage;

/// <summary>
/// The verdict cache the judge engine talks to: one in-memory front (keyed without hashing, <see cref="WarmKey"/>)
/// before a durable <see cref="IVerdictStore"/> (SQLite by default, or PostgreSQL). A warm verdict — the reward
/// server's steady state — costs a dictionary lookup: no SHA-256 key, no store round trip. The rest of a response's
/// verdicts are looked up in the store together, in one round trip (<see cref="FindAsync"/>). New verdicts go to
/// memory at once and to the store as the store writes (<see cref="IVerdictStore"/> for what survives a kill).
/// Counts hits and misses. Shared safely by several engines and threads.
/// </summary>
public sealed class VerdictCache : IDisposable
{
    /// <summary>How many verdicts memory holds before it starts over (crude but bounded; the store still has them all).</summary>
    public const int MemoryEntries = 200_000;

    private readonly ConcurrentDictionary<WarmKey, CachedVerdict> _memory = new();
    private readonly ConcurrentDictionary<string, object> _scopes = new(StringComparer.Ordinal);
    private long _hits, _misses;
    private long _leasesTaken, _leaseWaits, _leaseServed, _leaseExpired, _leasesUnavailable;

    public VerdictCache(IVerdictStore store) => Store = store;

    /// <summary>How long a lease lasts without renewal: 10 s (the holder renews it while it judges).</summary>
    public static readonly TimeSpan DefaultLeaseHold = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a lease on a response lasts unless its holder renews it (<see cref="IVerdictLeases"/>): after a holder
    /// dies, the others wait at most this long before judging themselves. Zero: no leases (every process judges what
    /// it does not find).
    /// </summary>
    public TimeSpan LeaseHold { get; init; } = DefaultLeaseHold;

    /// <summary>The clock of lease waits.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    /// <summary>Whether grading takes leases: the store is shared (<see cref="IVerdictLeases"/>) and <see cref="LeaseHold"/> is not zero.</summary>
    public bool Leasing => LeaseHold > TimeSpan.Zero && Store is IVerdictLeases;

    public VerdictLeaseStats Leases => new(Interlocked.Read(ref _leasesTaken), Interlocked.Read(ref _leaseWaits), Interlocked.Read(ref _leaseServed),
        Interlocked.Read(ref _leaseExpired), Interlocked.Read(ref _leasesUnavailable));

    /// <summary>The cache at LOCATION: a SQLite file path, or a PostgreSQL URL or connection string (<see cref="VerdictStores.Open"/>).</summary>
    public static VerdictCache Open(string location, Action<string>? notice = null) => new(VerdictStores.Open(location, notice));

    public IVerdictStore Store { get; }

    /// <summary>Where the store is, as messages may show it (never a password).</summary>
    public string Location => Store.Location;

    /// <summary>Verdicts found (in memory or in the store) rather than asked of a judge.</summary>
    public long Hits => Interlocked.Read(ref _hits);

    /// <summary>Verdicts looked up and not found anywhere.</summary>
    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>
    /// The scope object (<see cref="WarmKey.Scope"/>) for an asker whose SETTINGS — everything in a store key besides
    /// the content, the criterion and the vote — are these: the same object for the same settings, so two judge
    /// engines configured alike share what memory holds.
    /// </summary>
    public object ScopeFor(string settings) => _scopes.GetOrAdd(settings, static _ => new object());

    /// <summary>The verdict memory holds for KEY. COUNT: a grading (counts a hit) rather than a plan (counts nothing).</summary>
    public bool TryRecall(in WarmKey key, [MaybeNullWhen(false)] out CachedVerdict verdict, bool count = true)
    {
        if (!_memory.TryGetValue(key, out verdict)) return false;
        if (count) Interlocked.Increment(ref _hits);
        return true;
    }

    /// <summary>
    /// Looks LOOKUPS up in the store in one round trip; element i answers lookups[i] (null: a miss). With COUNT (a
    /// grading) hits and misses are counted and what was found is remembered; without (a plan) nothing changes.
    /// </summary>
    public async ValueTask<CachedVerdict?[]> FindAsync(IReadOnlyList<VerdictLookup> lookups, bool count = true, CancellationToken cancellationToken = default)
    {
        if (lookups.Count == 0) return [];
        var keys = new string[lookups.Count];
        for (var i = 0; i < keys.Length; i++) keys[i] = lookups[i].Key;
        var found = await Store.FindAsync(keys, cancellationToken).ConfigureAwait(false);
        if (!count) return found;
        var hits = 0;
        for (var i = 0; i < found.Length; i++)
        {
            if (found[i] is not { } verdict) continue;
            hits++;
            Remember(lookups[i].Warm, verdict);
        }
        Interlocked.Add(ref _hits, hits);
        Interlocked.Add(ref _misses, found.Length - hits);
        return found;
    }

    /// <summary>Keeps new verdicts: in memory at once, and in the store (one write for the lot).</summary>
    public void Put(IReadOnlyList<(VerdictLookup At, CachedVerdict Verdict)> verdicts)
    {
        var stored = new List<KeyValuePair<string, CachedVerdict>>(verdicts.Count);
        foreach (var (at, given) in verdicts)
        {
            // Memory and store hold the same text: what a store can keep (no NUL, no lone surrogate).
            var verdict = given.Reason is { } reason && StoredText.Clean(reason) is var clean
                && !ReferenceEquals(clean, reason) ? given with { Reason = clean } : given;
            Remember(at.Warm, verdict);
            // A number that is not finite (a judge's odd log probabilities) cannot be stored; the verdict is still used.
            if (verdict.IsStorable) stored.Add(new(at.Key, verdict));
        }
        Store.Put(stored);
    }

    /// <summary>
    /// Before judging the MISSING verdicts of a response, takes its lease LEASEKEY — or, when another process holds it
    /// (it is judging the same response), waits for that process's verdicts: polling the store with a growing pause,
    /// until every missing verdict is there, the lease is free (released or expired: this process takes it and judges
    /// what is still missing), or <see cref="LeaseHold"/> × 3 has passed (a holder alive but stuck: judge anyway).
    /// Verdicts found while waiting are remembered. Without <see cref="Leasing"/>, returns at once holding nothing.
    /// </summary>
    public async ValueTask<VerdictClaim> ClaimAsync(string leaseKey, IReadOnlyList<VerdictLookup> missing, CancellationToken cancellationToken = default)
    {
        if (!Leasing || missing.Count == 0) return new(new CachedVerdict?[missing.Count], false);
        var leases = (IVerdictLeases)Store;
        var keys = new string[missing.Count];
        for (var i = 0; i < keys.Length; i++) keys[i] = missing[i].Key;
        var take = await leases.TryTakeAsync(leaseKey, LeaseHold, keys, cancellationToken).ConfigureAwait(false);
        if (take is LeaseTake.Taken or LeaseTake.Unavailable)
        {
            Interlocked.Increment(ref take == LeaseTake.Taken ? ref _leasesTaken : ref _leasesUnavailable);
            return new(new CachedVerdict?[missing.Count], take == LeaseTake.Taken);
        }
        if (take == LeaseTake.HeldElsewhere) Interlocked.Increment(ref _leaseWaits);
        var started = Time.GetTimestamp();
        var pause = FirstPause;
        while (true)
        {
            if (take == LeaseTake.HeldElsewhere)
            {
                await Task.Delay(pause, Time, cancellationToken).ConfigureAwait(false);
                pause = TimeSpan.FromTicks(Math.Min(LongestPause.Ticks, pause.Ticks * 3 / 2));
                // Lease first, verdicts second: a holder writes its verdicts before it releases, so a lease found free
                // means the verdicts it judged are already readable.
                take = await leases.TryTakeAsync(leaseKey, LeaseHold, keys, cancellationToken).ConfigureAwait(false);
            }
            var found = await Store.FindAsync(keys, cancellationToken).ConfigureAwait(false);
            var got = 0;
            for (var i = 0; i < found.Length; i++)
            {
                if (found[i] is { } verdict) got++;
            }
            if (got < found.Length && take == LeaseTake.HeldElsewhere && Time.GetElapsedTime(started) < LeaseHold * 3) continue;
            for (var i = 0; i < found.Length; i++)
            {
                if (found[i] is { } verdict) Remember(missing[i].Warm, verdict);
            }
            Interlocked.Add(ref _leaseServed, got);
            if (got == found.Length)
            {
                // Everything arrived: a lease taken on the way (the holder had just released it) is not needed.
                if (take == LeaseTake.Taken) leases.Release(leaseKey);
                return new(found, false);
            }
            if (take == LeaseTake.Taken) Interlocked.Increment(ref _leasesTaken);
            Interlocked.Increment(ref _leaseExpired);
            return new(found, take == LeaseTake.Taken);
        }
    }

    /// <summary>Gives back a lease <see cref="ClaimAsync"/> took, after the verdicts judged under it were given to <see cref="Put"/>.</summary>
    public void Release(string leaseKey) => (Store as IVerdictLeases)?.Release(leaseKey);

    private static readonly TimeSpan FirstPause = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan LongestPause = TimeSpan.FromMilliseconds(250);

    private void Remember(WarmKey key, CachedVerdict verdict)
    {
        if (_memory.Count >= MemoryEntries) _memory.Clear();
        _memory[key] = verdict;
    }

    public void Dispose() => Store.Dispose();
}
