using System.Globalization;
using Npgsql;

namespace Tailmark.Tests.Support;

/// <summary>
/// A PostgreSQL server of the tests' own — never a system service: <c>initdb</c> into a temporary folder, then
/// <c>postgres</c> as a child process on a free 127.0.0.1 port (its Unix socket in the same folder), tuned for tests
/// (<c>--no-sync</c>, <c>fsync=off</c>: a killed <i>server</i> loses nothing the OS was given, which is all a test
/// needs), stopped and deleted at the end. The superuser <see cref="User"/> logs in over TCP with
/// <see cref="Password"/> (SCRAM), so the tests exercise real password authentication. PostgreSQL refuses to run as
/// root: as root (CI) the folder belongs to the <c>postgres</c> user that Debian's package creates, and
/// <c>initdb</c> and <c>postgres</c> run as that user. The binaries are found on PATH or under
/// <c>/usr/lib/postgresql/*/bin</c> (the newest); <c>.ci/run</c> installs Debian's <c>postgresql</c> when missing.
/// </summary>
public sealed class PostgresServer : IAsyncDisposable
{
    public const string User = "tailmark";

    private const string RootUser = "postgres";
    private readonly string _bin;
    private ChildProcess? _server;

    private readonly bool _durable;

    private PostgresServer(string bin, string folder, string password, bool durable)
    {
        _bin = bin;
        Folder = folder;
        Password = password;
        _durable = durable;
    }

    /// <summary>The temporary folder: <c>data/</c> (the cluster), the Unix socket, the password file.</summary>
    public string Folder { get; }

    public string DataDirectory => Path.Combine(Folder, "data");

    public string Password { get; }

    public int Port { get; private set; }

    /// <summary>The server's last output lines (for a failing test's message).</summary>
    public string Log => _server?.Output ?? "";

    /// <summary>Initialises a cluster and starts it; throws (saying what to install) when PostgreSQL is missing.</summary>
    /// <param name="durable">PostgreSQL's own defaults (fsync, synchronous commit, full pages: every commit on disk)
    /// instead of the tests' fast settings — for benchmarks, whose figures must be what a deployment pays.</param>
    public static async Task<PostgresServer> StartAsync(bool durable = false)
    {
        var bin = FindBinaries();
        var folder = Path.Combine(Path.GetTempPath(), "tailmark-pg-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        var password = Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(12));
        var server = new PostgresServer(bin, folder, password, durable);
        try
        {
            File.WriteAllText(Path.Combine(folder, "password"), password + "\n");
            if (Environment.IsPrivilegedProcess) ChildProcess.Run("chown", ["-R", $"{RootUser}:{RootUser}", folder], folder);
            ChildProcess.Run(Path.Combine(bin, "initdb"), ["-D", server.DataDirectory, "-U", User, "--pwfile", Path.Combine(folder, "password"),
                "--auth-local=trust", "--auth-host=scram-sha-256", "--no-sync", "--encoding=UTF8", "--locale=C", "--no-instructions"], folder, RunAs);
            await server.StartAgainAsync();
            return server;
        }
        catch
        {
            await server.DisposeAsync();
            throw;
        }
    }

    private static string? RunAs => Environment.IsPrivilegedProcess ? RootUser : null;

    /// <summary>Where <c>initdb</c> and <c>postgres</c> are, side by side.</summary>
    public static string FindBinaries()
    {
        var candidates = (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries)
            .Concat(Directory.Exists("/usr/lib/postgresql")
                ? Directory.GetDirectories("/usr/lib/postgresql").OrderByDescending(d => int.TryParse(Path.GetFileName(d), out var v) ? v : 0).Select(d =>
                    Path.Combine(d, "bin"))
                : []);
        return candidates.FirstOrDefault(d => File.Exists(Path.Combine(d, "initdb")) && File.Exists(Path.Combine(d, "postgres")))
            ?? throw new InvalidOperationException("PostgreSQL's server binaries (initdb, postgres) were not found on PATH or under /usr/lib/postgresql/*/bin: "
                + "install them (Debian: apt-get install postgresql haproxy; ./.ci/run does this) — the verdict-store tests start their own server");
    }

    /// <summary>Starts the server on its data (again, after <see cref="StopAsync"/> or <see cref="Crash"/>: on the same port).</summary>
    public async Task StartAgainAsync()
    {
        for (var attempt = 0; ; attempt++)
        {
            if (Port == 0 || attempt > 0 && _server?.Output.Contains("could not bind", StringComparison.Ordinal) == true) Port = LoopbackPort.Free();
            _server?.Dispose();
            string[] fast = _durable ? [] : ["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"];
            _server = ChildProcess.Start(Path.Combine(_bin, "postgres"), ["-D", DataDirectory, "-p", Port.ToString(CultureInfo.InvariantCulture),
                "-c", "listen_addresses=127.0.0.1", "-c", $"unix_socket_directories={Folder}", .. fast,
                "-c", "max_connections=200", "-c", "shared_buffers=32MB", "-c", "log_min_messages=warning"], Folder, RunAs);
            if (await ReadyAsync()) return;
            // A crashed server's backends may still hold its shared memory for a moment, or the port was taken.
            if (attempt >= 5) throw new InvalidOperationException($"PostgreSQL did not start on port {Port}:\n{_server.Output}");
            await Task.Delay(500);
        }
    }

    private async Task<bool> ReadyAsync()
    {
        var deadline = DateTime.UtcNow.AddSeconds(60);
        while (DateTime.UtcNow < deadline)
        {
            if (_server!.HasExited) return false;
            try
            {
                await using var connection = new NpgsqlConnection(ConnectionString("postgres"));
                await connection.OpenAsync();
                return true;
            }
            catch (NpgsqlException)
            {
                await Task.Delay(100);
            }
        }
        return false;
    }

    /// <summary>Npgsql's connection string to DATABASE, password included (in-process use).</summary>
    public string ConnectionString(string database) =>
        new NpgsqlConnectionStringBuilder { Host = "127.0.0.1", Port = Port, Username = User, Password = Password, Database = database, Pooling = false,
            Timeout = 5 }.ConnectionString;

    /// <summary>The URL of DATABASE without a password — as a user gives <c>--cache</c>; the password goes in TAILMARK_PG_PASSWORD or PGPASSWORD.</summary>
    public string Url(string database) => $"postgres://{User}@127.0.0.1:{Port}/{database}";

    /// <summary>A fresh, empty database (each test its own); its name.</summary>
    public async Task<string> CreateDatabaseAsync(string? name = null)
    {
        name ??= "t_" + Guid.NewGuid().ToString("N")[..16];
        await ExecuteAsync("postgres", $"CREATE DATABASE {name}");
        return name;
    }

    /// <summary>Runs SQL in DATABASE as the superuser.</summary>
    public async Task ExecuteAsync(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        await command.ExecuteNonQueryAsync();
    }

    /// <summary>The first column of the first row SQL returns in DATABASE.</summary>
    public async Task<T> ScalarAsync<T>(string database, string sql)
    {
        await using var connection = new NpgsqlConnection(ConnectionString(database));
        await connection.OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        return (T)(await command.ExecuteScalarAsync())!;
    }

    /// <summary>A fast shutdown (clients disconnected, data kept): the store is unreachable until <see cref="StartAgainAsync"/>.</summary>
    public Task StopAsync()
    {
        if (_server is { } s && !s.Signal("INT", TimeSpan.FromSeconds(30))) s.Signal("KILL", TimeSpan.FromSeconds(10));
        return Task.CompletedTask;
    }

    /// <summary>SIGKILL to the postmaster: a crash (the next start recovers from the write-ahead log).</summary>
    public void Crash() => _server?.Signal("KILL", TimeSpan.FromSeconds(10));

    public async ValueTask DisposeAsync()
    {
        await StopAsync();
        _server?.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // A backend still exiting may hold a file; the OS cleans the temporary folder eventually.
        }
    }
}
