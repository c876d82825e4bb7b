using Microsoft.Data.Sqlite;
using Tailmark.Io;

namespace Tailmark.Storage;

/// <summary>
/// The embedded verdict store: a SQLite file in WAL mode, so concurrent readers and writers — threads or processes —
/// are safe, and every verdict is committed before <see cref="Put"/> returns, which a killed process cannot undo.
/// A file that cannot serve (damaged, not a database, read-only, locked, a full disk, a folder) is an
/// <see cref="InputException"/> naming it, whenever that is found.
/// </summary>
public sealed class SqliteVerdictStore : IVerdictStore
{
    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();
    private bool _disposed;
    private readonly SqliteCommand _get;
    private readonly SqliteCommand _put;
    private readonly TimeProvider _time;
    private long _reads, _writes;

    /// <param name="path">The database file (created with its folder when missing).</param>
    /// <param name="time">The clock that stamps stored verdicts (what <c>cache prune --older-than</c> compares).</param>
    /// <exception cref="InputException">The file cannot serve as a verdict store.</exception>
    public SqliteVerdictStore(string path, TimeProvider? time = null)
    {
        _time = time ?? TimeProvider.System;
        Location = System.IO.Path.GetFullPath(path);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Location, Pooling = false }.ToString());
        try
        {
            (_get, _put) = Guard(Open);
        }
        catch
        {
            _connection.Dispose();
            throw;
        }
    }

    public string Location { get; }

    private (SqliteCommand Get, SqliteCommand Put) Open()
    {
        var dir = System.IO.Path.GetDirectoryName(Location);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        if (Directory.Exists(Location)) throw new InputException(Location, null, null, $"the verdict cache is a folder, not a file; {Advice}");
        _connection.Open();
        Execute("PRAGMA journal_mode=WAL;");
        Execute("PRAGMA synchronous=NORMAL;");
        Execute("PRAGMA busy_timeout=10000;");
        Execute("""
            CREATE TABLE IF NOT EXISTS verdicts (
              key TEXT PRIMARY KEY,
              status TEXT NOT NULL,
              level REAL,
              p_yes REAL,
              reason TEXT,
              created_at INTEGER NOT NULL,
              used_at INTEGER NOT NULL
            );
            """);
        // A table of the same name with other columns (another tool's file) fails here, where it can be named.
        // All of a lookup's keys in one statement: the keys as a JSON array, unpacked by json_each.
        return (Prepare("SELECT key, status, level, p_yes, reason FROM verdicts WHERE key IN (SELECT value FROM json_each($keys))", "$keys"),
            Prepare("INSERT OR REPLACE INTO verdicts (key, status, level, p_yes, reason, created_at, used_at) VALUES ($key, $status, $level, $p_yes, " +
                "$reason, $now, $now)",
                "$key", "$status", "$level", "$p_yes", "$reason", "$now"));
    }

    private const string Advice = "run with --no-cache, or give --cache a new path";

    /// <summary>Runs a store operation, turning a file that cannot serve into an input error naming it.</summary>
    private T Guard<T>(Func<T> operation)
    {
        try
        {
            return operation();
        }
        catch (SqliteException ex)
        {
            var why = ex.SqliteErrorCode switch
            {
                SQLitePCL.raw.SQLITE_NOTADB => "the file is not a SQLite database (damaged, or another kind of file)",
                SQLitePCL.raw.SQLITE_CORRUPT => "the database is damaged",
                SQLitePCL.raw.SQLITE_READONLY => "the file (or its folder) is read-only",
                SQLitePCL.raw.SQLITE_FULL => "the disk is full",
                SQLitePCL.raw.SQLITE_CANTOPEN => "the file cannot be opened (no permission, or its folder is read-only)",
                SQLitePCL.raw.SQLITE_BUSY or SQLitePCL.raw.SQLITE_LOCKED => "another process holds it locked",
                SQLitePCL.raw.SQLITE_IOERR => "the disk reported an input/output error",
                SQLitePCL.raw.SQLITE_ERROR => $"it is not a verdict cache ({ex.Message})",
                _ => ex.Message,
            };
            throw new InputException(Location, null, null, $"the verdict cache cannot be used: {why}; {Advice}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException(Location, null, null, $"the verdict cache cannot be used: {ex.Message}; {Advice}");
        }
    }

    public ValueTask<CachedVerdict?[]> FindAsync(IReadOnlyList<string> keys, CancellationToken cancellationToken = default)
    {
        if (keys.Count == 0) return ValueTask.FromResult(Array.Empty<CachedVerdict?>());
        // One statement for the whole batch: SQLite is in process, so a "round trip" is one execution under the lock.
        var json = JsonKeys(keys);
        return ValueTask.FromResult(Guard(() =>
        {
            var rows = new Dictionary<string, CachedVerdict>(keys.Count, StringComparer.Ordinal);
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                _get.Parameters["$keys"].Value = json;
                using var reader = _get.ExecuteReader();
                while (reader.Read())
                {
                    if (reader.GetValue(0) is string key && Read(reader) is { } verdict) rows[key] = verdict;
                }
            }
            Interlocked.Increment(ref _reads);
            var found = new CachedVerdict?[keys.Count];
            for (var i = 0; i < keys.Count; i++) found[i] = rows.GetValueOrDefault(keys[i]);
            return found;
        }));
    }

    // Keys are hex digests, but any text is escaped properly: a key is data, never SQL or broken JSON.
    private static string JsonKeys(IReadOnlyList<string> keys)
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(keys.Count * 68 + 2);
        using (var writer = new System.Text.Json.Utf8JsonWriter(buffer))
        {
            writer.WriteStartArray();
            foreach (var key in keys) writer.WriteStringValue(key);
            writer.WriteEndArray();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.WrittenSpan);
    }

    private static CachedVerdict? Read(SqliteDataReader reader)
    {
        // A row that does not hold a verdict (edited by hand, or another tool's) is a miss: the judge is asked again.
        if (CachedVerdict.ParseStatus(reader.IsDBNull(1) ? null : reader.GetValue(1) as string) is not { } status) return null;
        var level = Finite(reader, 2);
        var pYes = Finite(reader, 3);
        if (level is double.NaN || pYes is double.NaN) return null;
        return new CachedVerdict(status, level, pYes, reader.IsDBNull(4) ? null : reader.GetValue(4) as string);
    }

    /// <summary>A stored number: null when absent, NaN when it is not a finite number.</summary>
    private static double? Finite(SqliteDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : reader.GetValue(column) is double or long && reader.GetDouble(column) is var d && double.IsFinite(d) ? d : double.NaN;

    public void Put(IReadOnlyList<KeyValuePair<string, CachedVerdict>> verdicts)
    {
        if (verdicts.Count == 0) return;
        foreach (var (_, v) in verdicts)
        {
            if (!v.IsStorable) throw new ArgumentException("only met / not-met verdicts with finite numbers are stored", nameof(verdicts));
        }
        Guard(() =>
        {
            lock (_lock)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                // One transaction per call: one judge call's verdicts are committed together, before Put returns.
                using var transaction = _connection.BeginTransaction();
                _put.Transaction = transaction;
                try
                {
                    var now = _time.GetUtcNow().ToUnixTimeSeconds();
                    foreach (var (key, verdict) in verdicts)
                    {
                        _put.Parameters["$key"].Value = key;
                        _put.Parameters["$status"].Value = verdict.StatusText;
                        _put.Parameters["$level"].Value = (object?)verdict.Level ?? DBNull.Value;
                        _put.Parameters["$p_yes"].Value = (object?)verdict.PYes ?? DBNull.Value;
                        _put.Parameters["$reason"].Value = (object?)verdict.Reason ?? DBNull.Value;
                        _put.Parameters["$now"].Value = now;
                        _put.ExecuteNonQuery();
                    }
                    transaction.Commit();
                }
                finally
                {
                    _put.Transaction = null;
                }
            }
            Interlocked.Increment(ref _writes);
            return true;
        });
    }

    public Task FlushAsync(CancellationToken cancellationToken = default) => Task.CompletedTask;

    public VerdictStoreHealth Health => new(true, Interlocked.Read(ref _reads), Interlocked.Read(ref _writes), 0, 0, 0, 0);

    public Task<VerdictStoreStats> StatsAsync(CancellationToken cancellationToken = default) => Task.FromResult(Guard(() =>
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*), SUM(status = 'met'), SUM(status = 'not_met'), MIN(created_at), MAX(created_at) FROM verdicts";
            using var r = cmd.ExecuteReader();
            r.Read();
            static DateTimeOffset? At(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(i));
            var size = new FileInfo(Location).Length + (File.Exists(Location + "-wal") ? new FileInfo(Location + "-wal").Length : 0);
            return new VerdictStoreStats(Location, r.GetInt64(0), r.IsDBNull(1) ? 0 : r.GetInt64(1), r.IsDBNull(2) ? 0 : r.GetInt64(2), size, At(r, 3),
                At(r, 4));
        }
    }));

    public Task<long> PruneAsync(DateTimeOffset? before, CancellationToken cancellationToken = default) => Task.FromResult(Guard(() =>
    {
        lock (_lock)
        {
            ObjectDisposedException.ThrowIf(_disposed, this);
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = before is null ? "DELETE FROM verdicts" : "DELETE FROM verdicts WHERE created_at < $t";
            if (before is { } t) cmd.Parameters.AddWithValue("$t", t.ToUnixTimeSeconds());
            var n = cmd.ExecuteNonQuery();
            Execute("PRAGMA wal_checkpoint(TRUNCATE);");
            Execute("VACUUM;");
            return (long)n;
        }
    }));

    private void Execute(string sql)
    {
        using var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        cmd.ExecuteNonQuery();
    }

    private SqliteCommand Prepare(string sql, params string[] parameters)
    {
        var cmd = _connection.CreateCommand();
        cmd.CommandText = sql;
        foreach (var p in parameters) cmd.Parameters.Add(new SqliteParameter(p, null));
        cmd.Prepare();
        return cmd;
    }

    // Under the lock: a lookup or write still running on another thread (a grading that outlived its batch) finishes
    // before the connection goes, and one that comes later gets ObjectDisposedException, never a half-closed connection.
    public void Dispose()
    {
        lock (_lock)
        {
            if (_disposed) return;
            _disposed = true;
            _get.Dispose();
            _put.Dispose();
            _connection.Dispose();
        }
    }
}
