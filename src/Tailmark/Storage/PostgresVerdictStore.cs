using System.Net.Sockets;
using System.Threading.Channels;
using Npgsql;
using NpgsqlTypes;
using Polly;
using Polly.CircuitBreaker;
using Tailmark.Io;

namespace Tailmark.Storage;

/// <summary>
/// Verdicts in PostgreSQL, shared by every process that points at the same database (reward-server replicas,
/// grading jobs on several machines). A response's keys are looked up in one round trip (<c>key = ANY(…)</c>);
/// verdicts are written behind, in batches of up to <see cref="MaxBatch"/> (<c>INSERT … SELECT FROM unnest(…) ON
/// CONFLICT DO NOTHING</c>), by one writer that takes whatever arrived while its previous write was on the way — no
/// timer, so a verdict waits at most one write's round trip on a healthy server, and a killed process loses only
/// those (<see cref="VerdictStoreHealth.Pending"/>). An outage degrades instead of failing: a circuit breaker makes
/// lookups misses at once (the judge is asked; memory keeps what it answers), writes wait in a queue of at most
/// <see cref="MaxPending"/> verdicts (the oldest dropped beyond, counted), one warning says so, the store is tried
/// again every <see cref="RetryAfter"/>, and one more warning says when it is back and the queue drains.
/// Leases (<see cref="IVerdictLeases"/>) are rows of the unlogged table <c>tailmark_leases</c> (key, holder, expiry):
/// taken by an upsert that succeeds only on a free or expired row, renewed together every third of their hold while
/// held, and deleted by the writer right after the verdicts queued before their release — so a waiter that finds a
/// lease gone finds its verdicts.
/// </summary>
public sealed class PostgresVerdictStore : IVerdictStore, IVerdictLeases
{
    /// <summary>The most verdicts one write carries.</summary>
    public const int MaxBatch = 1_000;

    /// <summary>The most verdicts waiting to be written (during an outage); beyond, the oldest are dropped.</summary>
    public const int MaxPending = 100_000;

    /// <summary>How long an unreachable store is left alone before it is tried again.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>How long closing the store waits for the queue to be written.</summary>
    public static readonly TimeSpan CloseTimeout = TimeSpan.FromSeconds(10);

    private readonly NpgsqlDataSource _source;
    private readonly PostgresLocation _location;
    private readonly Action<string>? _notice;
    private readonly TimeProvider _time;
    private readonly ResiliencePipeline _breaker;
    private readonly Channel<KeyValuePair<string, CachedVerdict>> _queue;
    private readonly CancellationTokenSource _closing = new();
    private readonly Task _writer;
    private long _reads, _writes, _failures, _pending, _dropped, _outages;
    private int _down;
    private readonly Lock _flushLock = new();
    private TaskCompletionSource? _flushed;
    private int _overflowWarned;
    // Leases: this process's identity in tailmark_leases, the keys it holds (renewed), and how long one lasts.
    private readonly Guid _holder = Guid.NewGuid();
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, byte> _held = new(StringComparer.Ordinal);
    private long _holdTicks = VerdictCache.DefaultLeaseHold.Ticks;
    private readonly Task _renewer;
    private static readonly TimeSpan RenewalSlice = TimeSpan.FromMilliseconds(200);
    private readonly TaskCompletionSource _firstLease = new(TaskCreationOptions.RunContinuationsAsynchronously);

    // Queued after a lease's verdicts, in place of a verdict: the writer deletes the lease once what came before is written.
    private static readonly CachedVerdict ReleaseMarker = new(StoredStatus.Met, null, null, "release");

    private PostgresVerdictStore(NpgsqlDataSource source, PostgresLocation location, Action<string>? notice, TimeProvider time)
    {
        _source = source;
        _location = location;
        _notice = notice;
        _time = time;
        _breaker = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddCircuitBreaker(new CircuitBreakerStrategyOptions
            {
                // Two failures in a row open it: lookups then cost nothing until the store answers a probe again.
                FailureRatio = 0.5,
                MinimumThroughput = 2,
                SamplingDuration = TimeSpan.FromSeconds(10),
                BreakDuration = RetryAfter,
                ShouldHandle = new PredicateBuilder().Handle<Exception>(IsStoreFailure),
            })
            .Build();
        _queue = Channel.CreateBounded<KeyValuePair<string, CachedVerdict>>(
            new BoundedChannelOptions(MaxPending) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true },
            Dropped);
        _writer = Task.Run(WriteLoopAsync);
        _renewer = Task.Run(RenewLoopAsync);
    }

    /// <summary>
    /// Opens the store at LOCATION, creating its tables if CREATE (else null when there are none).
    /// </summary>
    /// <exception cref="InputException">The server cannot be reached or refuses the login, the database is not there,
    /// the tables cannot be created, or they are of a newer schema version: named by <see cref="PostgresLocation.Display"/>.</exception>
    public static PostgresVerdictStore? Open(PostgresLocation location, bool create = true, Action<string>? notice = null, TimeProvider? time = null)
    {
        var source = NpgsqlDataSource.Create(location.ConnectionString);
        try
        {
            using (var connection = source.OpenConnection())
            {
                if (!PostgresSchema.Prepare(connection, create, location.Display))
                {
                    source.Dispose();
                    return null;
                }
            }
            return new PostgresVerdictStore(source, location, notice, time ?? TimeProvider.System);
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            source.Dispose();
            throw new InputException(location.Display, null, null,
                $"the verdict store cannot be used: {location.Redact(Why(ex))}; run with --no-cache, or fix --cache (docs/llm.md)");
        }
        catch
        {
            source.Dispose();
            throw;
        }
    }

    public string Location => _location.Display;

    public VerdictStoreHealth Health => new(Volatile.Read(ref _down) == 0, Interlocked.Read(ref _reads), Interlocked.Read(ref _writes),
        Interlocked.Read(ref _failures), Interlocked.Read(ref _pending), Interlocked.Read(ref _dropped), Interlocked.Read(ref _outages));

    public async ValueTask<CachedVerdict?[]> FindAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        if (keys.Count == 0) return [];
        var binary = new byte[keys.Count][];
        for (var i = 0; i < keys.Count; i++) binary[i] = KeyBytes(keys[i]);
        try
        {
            var rows = await _breaker.ExecuteAsync(static (state, ct) => state.Store.ReadAsync(state.Binary, ct), (Store: this, Binary: binary),
                cancellationToken).ConfigureAwait(false);
            Interlocked.Increment(ref _reads);
            Up();
            var found = new CachedVerdict?[keys.Count];
            for (var i = 0; i < keys.Count; i++) found[i] = rows.GetValueOrDefault(keys[i]);
            return found;
        }
        catch (Exception ex) when (ex is BrokenCircuitException || IsStoreFailure(ex))
        {
            // Unreachable: every key is a miss, so the judge is asked and the grading goes on.
            Down(ex);
            return new CachedVerdict?[keys.Count];
        }
    }

    private async ValueTask<Dictionary<string, CachedVerdict>> ReadAsync(byte[][] keys, CancellationToken ct)
    {
        await using var cmd = _source.CreateCommand("SELECT key, status, level, p_yes, reason FROM tailmark_verdicts WHERE key = ANY($1)");
        cmd.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = keys, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        var rows = new Dictionary<string, CachedVerdict>(keys.Length, StringComparer.Ordinal);
        while (await reader.ReadAsync(ct).ConfigureAwait(false))
        {
            // The table's constraints keep every row a verdict; a status this version does not know is still a miss.
            if (CachedVerdict.ParseStatus(reader.GetString(1)) is not { } status) continue;
            rows[Convert.ToHexStringLower(reader.GetFieldValue<byte[]>(0))] = new CachedVerdict(status,
                reader.IsDBNull(2) ? null : reader.GetDouble(2), reader.IsDBNull(3) ? null : reader.GetDouble(3), reader.IsDBNull(4) ? null
                    : reader.GetString(4));
        }
        return rows;
    }

    public void Put(IReadOnlyList<KeyValuePair<string, CachedVerdict>> verdicts)
    {
        foreach (var (key, v) in verdicts)
        {
            if (!v.IsStorable) throw new ArgumentException("only met / not-met verdicts with finite numbers are stored", nameof(verdicts));
            KeyBytes(key);
        }
        foreach (var verdict in verdicts)
        {
            Interlocked.Increment(ref _pending);
            if (!_queue.Writer.TryWrite(verdict))
            {
                // Closed: a grading the reward server let finish after it stopped. Counted, not thrown into it.
                Interlocked.Increment(ref _dropped);
                Settled(1);
            }
        }
    }

    private async Task WriteLoopAsync()
    {
        var batch = new List<KeyValuePair<string, CachedVerdict>>(MaxBatch);
        var reader = _queue.Reader;
        while (await reader.WaitToReadAsync().ConfigureAwait(false))
        {
            while (batch.Count < MaxBatch && reader.TryRead(out var item)) batch.Add(item);
            while (!await TryWriteAsync(batch).ConfigureAwait(false))
            {
                if (_closing.IsCancellationRequested)
                {
                    GiveUp(Verdicts(batch));
                    return;
                }
                try
                {
                    await Task.Delay(RetryAfter / 4, _time, _closing.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    // Closing: one last try above, then what is left is given up.
                }
            }
            Settled(Verdicts(batch));
            batch.Clear();
        }
    }

    private async Task<bool> TryWriteAsync(List<KeyValuePair<string, CachedVerdict>> batch)
    {
        try
        {
            await _breaker.ExecuteAsync(static (state, ct) => state.Store.WriteAsync(state.Batch, ct), (Store: this, Batch: batch),
                _closing.Token).ConfigureAwait(false);
            // Writes count the batches that carried verdicts: a batch of lease releases alone is bookkeeping, and counting
            // it let a release written just after a flush look like a verdict write (a flaky outage test).
            if (Verdicts(batch) > 0) Interlocked.Increment(ref _writes);
            Up();
            return true;
        }
        catch (Exception ex) when (ex is BrokenCircuitException || IsStoreFailure(ex) || ex is OperationCanceledException)
        {
            if (ex is not OperationCanceledException) Down(ex);
            return false;
        }
        catch (Exception ex)
        {
            // Not an outage but a batch the driver cannot send (a bug): it is given up, said, and the writer goes on.
            Interlocked.Add(ref _dropped, Verdicts(batch));
            _notice?.Invoke($"{Location}: {Verdicts(batch)} verdicts could not be written and are given up " +
                $"({ex.GetType().Name}: {_location.Redact(ex.Message)})");
            return true;
        }
    }

    private static int Verdicts(List<KeyValuePair<string, CachedVerdict>> batch)
    {
        var n = 0;
        foreach (var item in batch)
        {
            if (!ReferenceEquals(item.Value, ReleaseMarker)) n++;
        }
        return n;
    }

    // The verdicts, then the leases released after them, in one round trip (one transaction: a lease is never gone
    // before its verdicts are there).
    private async ValueTask WriteAsync(List<KeyValuePair<string, CachedVerdict>> batch, CancellationToken ct)
    {
        var n = Verdicts(batch);
        var keys = new byte[n][];
        var statuses = new string[n];
        var levels = new double?[n];
        var pYes = new double?[n];
        var reasons = new string?[n];
        var released = new List<byte[]>();
        var i = 0;
        // In key order: two replicas writing overlapping batches then take the rows' locks in the same order, so their
        // inserts wait for each other instead of deadlocking (seen once under the duplicates benchmark).
        foreach (var (key, v) in batch.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            if (ReferenceEquals(v, ReleaseMarker))
            {
                released.Add(KeyBytes(key));
                continue;
            }
            keys[i] = KeyBytes(key);
            statuses[i] = v.StatusText;
            levels[i] = v.Level;
            pYes[i] = v.PYes;
            reasons[i] = v.Reason is null ? null : StoredText.Clean(v.Reason);
            i++;
        }
        await using var write = _source.CreateBatch();
        if (n > 0) write.BatchCommands.Add(InsertCommand(keys, statuses, levels, pYes, reasons));
        if (released.Count > 0)
        {
            var delete = new NpgsqlBatchCommand("DELETE FROM tailmark_leases WHERE key = ANY($1) AND holder = $2");
            delete.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = [.. released] });
            delete.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = _holder });
            write.BatchCommands.Add(delete);
        }
        if (write.BatchCommands.Count > 0) await write.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
    }

    private static NpgsqlBatchCommand InsertCommand(byte[][] keys, string[] statuses, double?[] levels, double?[] pYes, string?[] reasons)
    {
        var cmd = new NpgsqlBatchCommand("""
            INSERT INTO tailmark_verdicts (key, status, level, p_yes, reason)
            SELECT * FROM unnest($1::bytea[], $2::text[], $3::float8[], $4::float8[], $5::text[])
            ON CONFLICT (key) DO NOTHING
            """);
        cmd.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = keys });
        cmd.Parameters.Add(new NpgsqlParameter<string[]> { TypedValue = statuses });
        cmd.Parameters.Add(new NpgsqlParameter<double?[]> { TypedValue = levels });
        cmd.Parameters.Add(new NpgsqlParameter<double?[]> { TypedValue = pYes });
        cmd.Parameters.Add(new NpgsqlParameter<string?[]> { TypedValue = reasons });
        return cmd;
    }

    public async ValueTask<LeaseTake> TryTakeAsync(string key, TimeSpan hold, IReadOnlyList<string> verdicts, CancellationToken cancellationToken = default)
    {
        var binary = KeyBytes(key);
        var verdictKeys = new byte[verdicts.Count][];
        for (var i = 0; i < verdictKeys.Length; i++) verdictKeys[i] = KeyBytes(verdicts[i]);
        Interlocked.Exchange(ref _holdTicks, hold.Ticks);
        try
        {
            var take = await _breaker.ExecuteAsync(static (state, ct) => state.Store.TakeAsync(state.Key, state.Hold, state.Verdicts, ct),
                (Store: this, Key: binary, Hold: hold, Verdicts: verdictKeys), cancellationToken).ConfigureAwait(false);
            Up();
            if (take == LeaseTake.Taken)
            {
                _held[key] = 0;
                _firstLease.TrySetResult();
            }
            return take;
        }
        catch (Exception ex) when (ex is BrokenCircuitException || IsStoreFailure(ex))
        {
            Down(ex);
            return LeaseTake.Unavailable;
        }
    }

    // Unless every verdict is stored already: inserts the lease, or takes over a row whose holder let it expire (the
    // insert returns a row only when this process has it).
    private async ValueTask<LeaseTake> TakeAsync(byte[] key, TimeSpan hold, byte[][] verdicts, CancellationToken ct)
    {
        await using var cmd = _source.CreateCommand("""
            WITH done AS (
              SELECT count(*) = cardinality($4::bytea[]) AS all_stored FROM tailmark_verdicts WHERE key = ANY($4)
            ), taken AS (
              INSERT INTO tailmark_leases (key, holder, expires_at)
              SELECT $1, $2, now() + make_interval(secs => $3) FROM done WHERE NOT all_stored
              ON CONFLICT (key) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at
              WHERE tailmark_leases.expires_at < now()
              RETURNING 1
            )
            SELECT (SELECT all_stored FROM done), EXISTS (SELECT 1 FROM taken)
            """);
        cmd.Parameters.Add(new NpgsqlParameter<byte[]> { TypedValue = key });
        cmd.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = _holder });
        cmd.Parameters.Add(new NpgsqlParameter<double> { TypedValue = hold.TotalSeconds });
        cmd.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = verdicts });
        await using var reader = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
        await reader.ReadAsync(ct).ConfigureAwait(false);
        return reader.GetBoolean(0) ? LeaseTake.Done : reader.GetBoolean(1) ? LeaseTake.Taken : LeaseTake.HeldElsewhere;
    }

    public void Release(string key)
    {
        // No longer renewed from now; deleted by the writer after the verdicts queued before it.
        if (!_held.TryRemove(key, out _)) return;
        _queue.Writer.TryWrite(new(key, ReleaseMarker));
    }

    // Every third of a hold, the leases this process holds are extended together: a holder alive keeps them however long
    // its judge takes, a dead one lets them expire within one hold. The loop wakes in short slices and reads the hold
    // each time, because the hold is only known once the first lease is taken: a loop that slept a third of the 10 s
    // default let a 3 s lease lapse under its live holder.
    private async Task RenewLoopAsync()
    {
        // Nothing to renew before the first lease (a store used without leases never wakes for them).
        try
        {
            await _firstLease.Task.WaitAsync(_closing.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        var lastRenewal = _time.GetTimestamp();
        while (!_closing.IsCancellationRequested)
        {
            try
            {
                var hold = TimeSpan.FromTicks(Interlocked.Read(ref _holdTicks));
                var due = hold / 3 - _time.GetElapsedTime(lastRenewal);
                if (due > TimeSpan.Zero)
                {
                    await Task.Delay(due < RenewalSlice ? due : RenewalSlice, _time, _closing.Token).ConfigureAwait(false);
                    continue;
                }
                lastRenewal = _time.GetTimestamp();
                if (_held.IsEmpty) continue;
                byte[][] keys = [.. _held.Keys.Select(KeyBytes)];
                await using var cmd = _source.CreateCommand("UPDATE tailmark_leases SET expires_at = now() + make_interval(secs => $3) WHERE key = ANY($1) " +
                    "AND holder = $2");
                cmd.Parameters.Add(new NpgsqlParameter<byte[][]> { TypedValue = keys });
                cmd.Parameters.Add(new NpgsqlParameter<Guid> { TypedValue = _holder });
                cmd.Parameters.Add(new NpgsqlParameter<double> { TypedValue = hold.TotalSeconds });
                await cmd.ExecuteNonQueryAsync(_closing.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (_closing.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (IsStoreFailure(ex))
            {
                // An outage: the leases lapse and others may judge the same responses — duplicates, never a loss.
                Down(ex);
            }
        }
    }

    public async Task FlushAsync(CancellationToken cancellationToken = default)
    {
        // The writer takes no timer: it writes whatever is queued as soon as its last write returned, so waiting for
        // nothing to be pending is waiting for one or two round trips (or for the end of an outage).
        while (true)
        {
            TaskCompletionSource flushed;
            lock (_flushLock)
            {
                if (Interlocked.Read(ref _pending) == 0) return;
                flushed = _flushed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }
            await flushed.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }

    // Called wherever the pending count goes down: wakes FlushAsync once nothing is pending.
    private void Settled(long count)
    {
        if (Interlocked.Add(ref _pending, -count) != 0) return;
        lock (_flushLock)
        {
            if (Interlocked.Read(ref _pending) != 0 || _flushed is not { } flushed) return;
            _flushed = null;
            flushed.SetResult();
        }
    }

    public async Task<VerdictStoreStats> StatsAsync(CancellationToken cancellationToken = default)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        return await Explicitly(async ct =>
        {
            await using var cmd = _source.CreateCommand("""
                SELECT count(*), count(*) FILTER (WHERE status = 'met'), count(*) FILTER (WHERE status = 'not_met'),
                       min(created_at), max(created_at), pg_total_relation_size('tailmark_verdicts')
                FROM tailmark_verdicts
                """);
            await using var r = await cmd.ExecuteReaderAsync(ct).ConfigureAwait(false);
            await r.ReadAsync(ct).ConfigureAwait(false);
            DateTimeOffset? At(int i) => r.IsDBNull(i) ? null : new DateTimeOffset(r.GetDateTime(i), TimeSpan.Zero);
            return new VerdictStoreStats(Location, r.GetInt64(0), r.GetInt64(1), r.GetInt64(2), r.GetInt64(5), At(3), At(4));
        }, cancellationToken).ConfigureAwait(false);
    }

    public async Task<long> PruneAsync(DateTimeOffset? before, CancellationToken cancellationToken = default)
    {
        await FlushAsync(cancellationToken).ConfigureAwait(false);
        return await Explicitly(async ct =>
        {
            // Leases left behind by holders that died go too (a live holder's are renewed, never expired).
            await using (var leases = _source.CreateCommand("DELETE FROM tailmark_leases WHERE expires_at < now()"))
            {
                await leases.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
            }
            await using var cmd = _source.CreateCommand(before is null ? "DELETE FROM tailmark_verdicts"
                : "DELETE FROM tailmark_verdicts WHERE created_at < $1");
            if (before is { } t) cmd.Parameters.Add(new NpgsqlParameter<DateTime> { TypedValue = t.UtcDateTime });
            return (long)await cmd.ExecuteNonQueryAsync(ct).ConfigureAwait(false);
        }, cancellationToken).ConfigureAwait(false);
    }

    // Commands a user asked for (stats, prune) fail as input errors naming the store rather than degrading.
    private async Task<T> Explicitly<T>(Func<CancellationToken, Task<T>> operation, CancellationToken ct)
    {
        try
        {
            return await operation(ct).ConfigureAwait(false);
        }
        catch (Exception ex) when (IsStoreFailure(ex))
        {
            throw new InputException(Location, null, null, $"the verdict store cannot be used: {_location.Redact(Why(ex))}");
        }
    }

    private void Dropped(KeyValuePair<string, CachedVerdict> verdict)
    {
        // A release given up: the lease simply expires.
        if (ReferenceEquals(verdict.Value, ReleaseMarker)) return;
        Interlocked.Increment(ref _dropped);
        Settled(1);
        if (Interlocked.Exchange(ref _overflowWarned, 1) == 0)
        {
            _notice?.Invoke($"{Location}: {MaxPending:#,0} verdicts are waiting to be written; the oldest are dropped from now on (they are still used in " +
                $"this run, but not kept for the next)");
        }
    }

    private void GiveUp(int inHand)
    {
        var left = inHand;
        while (_queue.Reader.TryRead(out var item))
        {
            if (!ReferenceEquals(item.Value, ReleaseMarker)) left++;
        }
        Interlocked.Add(ref _dropped, left);
        Settled(left);
        _notice?.Invoke($"{Location}: {left:#,0} verdicts could not be written before closing (the store is unreachable); a rerun asks the judge for them " +
            $"again");
    }

    private void Down(Exception ex)
    {
        Interlocked.Increment(ref _failures);
        if (Interlocked.Exchange(ref _down, 1) != 0) return;
        Interlocked.Increment(ref _outages);
        var why = ex is BrokenCircuitException ? "not answering" : _location.Redact(Why(ex));
        _notice?.Invoke($"{Location}: the verdict store is unreachable ({why}); grading goes on — verdicts not in memory are asked of the judge, "
            + $"and new ones wait to be written (up to {MaxPending:#,0}); trying again every {RetryAfter.TotalSeconds:0.#} s");
    }

    private void Up()
    {
        if (Volatile.Read(ref _down) == 0 || Interlocked.Exchange(ref _down, 0) == 0) return;
        Interlocked.Exchange(ref _overflowWarned, 0);
        _notice?.Invoke($"{Location}: the verdict store is reachable again; {Interlocked.Read(ref _pending):#,0} waiting verdicts are being written");
    }

    /// <summary>What went wrong, in the server's or the driver's words, plus a hint for the failures a user can fix.</summary>
    private static string Why(Exception ex) => ex switch
    {
        PostgresException { SqlState: PostgresErrorCodes.InvalidPassword or PostgresErrorCodes.InvalidAuthorizationSpecification } pg =>
            $"{pg.MessageText} ({PasswordHint})",
        NpgsqlException npg when npg is not PostgresException && npg.Message.Contains("password", StringComparison.OrdinalIgnoreCase) =>
            $"{npg.Message} ({PasswordHint})",
        PostgresException { SqlState: PostgresErrorCodes.InvalidCatalogName } pg => $"{pg.MessageText} (create it first: createdb NAME)",
        PostgresException { SqlState: PostgresErrorCodes.InsufficientPrivilege } pg =>
            $"{pg.MessageText} (the user needs to create tables on first use: GRANT CREATE ON SCHEMA public TO the user, or let the owner run Tailmark once; " +
                $"docs/deploy.md)",
        PostgresException pg => $"{pg.MessageText} (SQL state {pg.SqlState})",
        NpgsqlException { InnerException: SocketException or TimeoutException or IOException } npg => $"{npg.Message} ({npg.InnerException!.Message})",
        _ => ex.Message,
    };

    private const string PasswordHint = "set the password in TAILMARK_PG_PASSWORD or PGPASSWORD, or in ~/.pgpass";

    private static bool IsStoreFailure(Exception ex) =>
        ex is NpgsqlException or SocketException or TimeoutException or IOException or System.Security.Authentication.AuthenticationException
        || (ex is InvalidOperationException && ex.Source == "Npgsql");

    private static byte[] KeyBytes(string key) =>
        key.Length == 64 ? Convert.FromHexString(key) : throw new ArgumentException("a verdict key is the 64-digit hex SHA-256 of VerdictCacheKey",
            nameof(key));

    public void Dispose()
    {
        if (!_queue.Writer.TryComplete()) return; // closed already
        // Let the writer empty the queue; past the timeout (the store is down) it gives up what is left, saying so.
        if (!_writer.Wait(CloseTimeout))
        {
            _closing.Cancel();
            _writer.Wait(TimeSpan.FromSeconds(5));
        }
        _closing.Cancel();
        // A renewer still running (a round trip stuck past 5 s) keeps its token source: disposing it under the loop would
        // only turn its end into an unobserved ObjectDisposedException.
        if (_renewer.Wait(TimeSpan.FromSeconds(5))) _closing.Dispose();
        _source.Dispose();
    }
}
