using Microsoft.Data.Sqlite;
using Tailmark.Io;

namespace Tailmark.Storage;

/// <summary>
/// Judge verdicts by content address in a SQLite file (WAL journal, so concurrent readers and writers — threads
/// or processes — are safe, and every stored verdict survives a killed process). A repeated run with the same
/// inputs finds every verdict here and makes no judge call. Only real verdicts are stored: CannotAssess is never
/// cached, so a rerun retries what failed. Recently read or written verdicts are also kept in memory (up to
/// <see cref="MemoryEntries"/>), so a warm cache answers without touching the file.
/// </summary>
public sealed class VerdictCache : IDisposable
{
    private readonly SqliteConnection _connection;
    private readonly Lock _lock = new();
    private readonly SqliteCommand _get;
    private readonly SqliteCommand _put;
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, CachedVerdict> _memory = new(StringComparer.Ordinal);
    private long _hits, _misses;

    /// <summary>How many verdicts the in-memory layer holds before it starts over.</summary>
    public const int MemoryEntries = 200_000;

    /// <exception cref="InputException">The file cannot serve as a cache (damaged, not a database, read-only, a full disk).</exception>
    public VerdictCache(string path)
    {
        Path = System.IO.Path.GetFullPath(path);
        _connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = Path, Pooling = false }.ToString());
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

    private (SqliteCommand Get, SqliteCommand Put) Open()
    {
        var dir = System.IO.Path.GetDirectoryName(Path);
        if (!string.IsNullOrEmpty(dir)) Directory.CreateDirectory(dir);
        if (Directory.Exists(Path)) throw new InputException(Path, null, null, $"the verdict cache is a folder, not a file; {Advice}");
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
        return (Prepare("SELECT status, level, p_yes, reason FROM verdicts WHERE key = $key", "$key"),
            Prepare("INSERT OR REPLACE INTO verdicts (key, status, level, p_yes, reason, created_at, used_at) VALUES ($key, $status, $level, $p_yes, $reason, $now, $now)",
                "$key", "$status", "$level", "$p_yes", "$reason", "$now"));
    }

    private const string Advice = "run with --no-cache, or give --cache a new path";

    /// <summary>Runs a cache operation, turning a file that cannot serve as a cache into an input error naming it.</summary>
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
            throw new InputException(Path, null, null, $"the verdict cache cannot be used: {why}; {Advice}");
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new InputException(Path, null, null, $"the verdict cache cannot be used: {ex.Message}; {Advice}");
        }
    }

    public string Path { get; }

    public long Hits => Interlocked.Read(ref _hits);

    public long Misses => Interlocked.Read(ref _misses);

    /// <summary>Counts a hit answered by a caller's own in-memory front of this cache (the judge engine's warm verdicts).</summary>
    public void CountHit() => Interlocked.Increment(ref _hits);

    public CachedVerdict? Get(string key)
    {
        if (_memory.TryGetValue(key, out var remembered))
        {
            Interlocked.Increment(ref _hits);
            return remembered;
        }
        var v = Read(key);
        if (v is null)
        {
            Interlocked.Increment(ref _misses);
            return null;
        }
        Remember(key, v);
        Interlocked.Increment(ref _hits);
        return v;
    }

    /// <summary>The cached verdict, looked up without counting a hit or a miss and without remembering it (plans).</summary>
    public CachedVerdict? Peek(string key) => _memory.TryGetValue(key, out var remembered) ? remembered : Read(key);

    private CachedVerdict? Read(string key) => Guard(() =>
    {
        lock (_lock)
        {
            _get.Parameters["$key"].Value = key;
            using var reader = _get.ExecuteReader();
            if (!reader.Read()) return null;
            // A row that does not hold a verdict (edited by hand, or another tool's) is a miss: the judge is asked again.
            if (reader.IsDBNull(0) || reader.GetValue(0) is not string status || status is not ("met" or "not_met")) return null;
            var level = Finite(reader, 1);
            var pYes = Finite(reader, 2);
            if (level is double.NaN || pYes is double.NaN) return null;
            return new CachedVerdict(status, level, pYes, reader.IsDBNull(3) ? null : reader.GetValue(3) as string);
        }
    });

    /// <summary>A stored number: null when absent, NaN when it is not a finite number.</summary>
    private static double? Finite(SqliteDataReader reader, int column) =>
        reader.IsDBNull(column) ? null : reader.GetValue(column) is double or long && reader.GetDouble(column) is var d && double.IsFinite(d) ? d : double.NaN;

    public void Put(string key, CachedVerdict verdict)
    {
        if (verdict.Status is not ("met" or "not_met")) throw new ArgumentException("only met / not_met verdicts are cached", nameof(verdict));
        Guard(() => Store(key, verdict));
        Remember(key, verdict);
    }

    private bool Store(string key, CachedVerdict verdict)
    {
        lock (_lock)
        {
            _put.Parameters["$key"].Value = key;
            _put.Parameters["$status"].Value = verdict.Status;
            _put.Parameters["$level"].Value = (object?)verdict.Level ?? DBNull.Value;
            _put.Parameters["$p_yes"].Value = (object?)verdict.PYes ?? DBNull.Value;
            _put.Parameters["$reason"].Value = (object?)verdict.Reason ?? DBNull.Value;
            _put.Parameters["$now"].Value = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            _put.ExecuteNonQuery();
        }
        return true;
    }

    private void Remember(string key, CachedVerdict verdict)
    {
        if (_memory.Count >= MemoryEntries) _memory.Clear(); // crude but bounded; the file still has everything
        _memory[key] = verdict;
    }

    public VerdictCacheStats Stats() => Guard(() =>
    {
        lock (_lock)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = "SELECT COUNT(*), SUM(status = 'met'), SUM(status = 'not_met'), MIN(created_at), MAX(created_at) FROM verdicts";
            using var r = cmd.ExecuteReader();
            r.Read();
            static DateTimeOffset? At(SqliteDataReader r, int i) => r.IsDBNull(i) ? null : DateTimeOffset.FromUnixTimeSeconds(r.GetInt64(i));
            var size = new FileInfo(Path).Length + (File.Exists(Path + "-wal") ? new FileInfo(Path + "-wal").Length : 0);
            return new VerdictCacheStats(Path, r.GetInt64(0), r.IsDBNull(1) ? 0 : r.GetInt64(1), r.IsDBNull(2) ? 0 : r.GetInt64(2), size, At(r, 3), At(r, 4));
        }
    });

    /// <summary>Deletes verdicts stored before <paramref name="before"/> (all of them when null); returns how many.</summary>
    public long Prune(DateTimeOffset? before) => Guard(() =>
    {
        lock (_lock)
        {
            using var cmd = _connection.CreateCommand();
            cmd.CommandText = before is null ? "DELETE FROM verdicts" : "DELETE FROM verdicts WHERE created_at < $t";
            if (before is { } t) cmd.Parameters.AddWithValue("$t", t.ToUnixTimeSeconds());
            var n = cmd.ExecuteNonQuery();
            _memory.Clear();
            Execute("PRAGMA wal_checkpoint(TRUNCATE);");
            Execute("VACUUM;");
            return (long)n;
        }
    });

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

    public void Dispose()
    {
        _get.Dispose();
        _put.Dispose();
        _connection.Dispose();
    }
}
