using System.Globalization;
using System.Net.Sockets;
using System.Text;

namespace Tailmark.Tests.Support;

/// <summary>
/// HAProxy in front of servers the tests started — a load balancer of the tests' own, never a system service: its
/// configuration written to a temporary file, <c>haproxy -f FILE -db</c> as a child process (in the foreground) on
/// a free 127.0.0.1 port, an admin socket beside it for <see cref="CommandAsync"/> (<c>show stat</c>, <c>disable
/// server be/s1</c>, …), stopped and deleted at the end. <c>.ci/run</c> installs Debian's <c>haproxy</c> when missing.
/// </summary>
public sealed class HaproxyServer : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private HaproxyServer(ChildProcess process, string folder, int port, string config)
    {
        _process = process;
        Folder = folder;
        Port = port;
        Config = config;
    }

    /// <summary>The temporary folder: <c>haproxy.cfg</c> and <c>admin.sock</c>.</summary>
    public string Folder { get; }

    public int Port { get; }

    public Uri BaseUrl => new($"http://127.0.0.1:{Port}/");

    /// <summary>The configuration it runs (for a failing test's message, and for docs/deploy.md's example).</summary>
    public string Config { get; }

    public string AdminSocket => Path.Combine(Folder, "admin.sock");

    /// <summary>HAProxy's last output lines.</summary>
    public string Log => _process.Output;

    /// <summary>Balances HTTP over BACKENDS (servers s0, s1, … of backend <c>be</c>) as OPTIONS say.</summary>
    public static Task<HaproxyServer> StartAsync(IReadOnlyList<Uri> backends, HaproxyOptions? options = null)
    {
        options ??= new HaproxyOptions();
        return StartAsync((port, socket) => Configuration(backends, options, port, socket));
    }

    /// <summary>
    /// Runs a configuration file as it is shipped (deploy/haproxy.cfg): its <c>"${NAME}"</c> placeholders filled from
    /// VALUES, <c>"${TAILMARK_LB_BIND}"</c> with the free port, and the admin socket added to its global section.
    /// </summary>
    public static Task<HaproxyServer> StartFromFileAsync(string file, IReadOnlyDictionary<string, string> values)
    {
        var text = File.ReadAllText(file);
        return StartAsync((port, socket) =>
        {
            var config = text.Replace("\"${TAILMARK_LB_BIND}\"", $"127.0.0.1:{port}", StringComparison.Ordinal);
            foreach (var (name, value) in values) config = config.Replace($"\"${{{name}}}\"", value, StringComparison.Ordinal);
            if (config.Contains("\"${", StringComparison.Ordinal)) throw new InvalidOperationException($"{file}: a placeholder is left unfilled:\n{config}");
            return config.Replace("global\n", $"global\n  stats socket {socket} mode 600 level admin\n", StringComparison.Ordinal);
        });
    }

    private static async Task<HaproxyServer> StartAsync(Func<int, string, string> configuration)
    {
        var haproxy = FindBinary();
        var folder = Path.Combine(Path.GetTempPath(), "tailmark-haproxy-" + Guid.NewGuid().ToString("N")[..12]);
        Directory.CreateDirectory(folder);
        for (var attempt = 0; ; attempt++)
        {
            var port = LoopbackPort.Free();
            var config = configuration(port, Path.Combine(folder, "admin.sock"));
            var file = Path.Combine(folder, "haproxy.cfg");
            File.WriteAllText(file, config);
            ChildProcess.Run(haproxy, ["-c", "-q", "-f", file], folder);
            var process = ChildProcess.Start(haproxy, ["-f", file, "-db"], folder);
            var deadline = DateTime.UtcNow.AddSeconds(20);
            while (DateTime.UtcNow < deadline && !process.HasExited && !LoopbackPort.Listening(port)) await Task.Delay(50);
            if (!process.HasExited && LoopbackPort.Listening(port)) return new HaproxyServer(process, folder, port, config);
            var log = process.Output;
            process.Dispose();
            // Another process may have taken the port between our look and HAProxy's bind.
            if (attempt >= 3) throw new InvalidOperationException($"HAProxy did not start on port {port}:\n{log}\n{config}");
        }
    }

    /// <summary>The <c>haproxy</c> executable (PATH, then /usr/sbin).</summary>
    public static string FindBinary() =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries).Append("/usr/sbin")
            .Select(d => Path.Combine(d, "haproxy")).FirstOrDefault(File.Exists)
        ?? throw new InvalidOperationException("HAProxy was not found on PATH or in /usr/sbin: install it (Debian: apt-get install postgresql haproxy; " +
            "./.ci/run does this) — the load-balancer tests start their own");

    private static string Configuration(IReadOnlyList<Uri> backends, HaproxyOptions o, int port, string socket)
    {
        static string Ms(TimeSpan t) => ((long)t.TotalMilliseconds).ToString(CultureInfo.InvariantCulture) + "ms";
        var c = new StringBuilder();
        c.AppendLine("global");
        c.AppendLine("  maxconn 4096");
        c.AppendLine($"  stats socket {socket} mode 600 level admin");
        c.AppendLine("defaults");
        c.AppendLine("  mode http");
        c.AppendLine("  option http-keep-alive");
        c.AppendLine($"  timeout connect {Ms(o.ConnectTimeout)}");
        c.AppendLine($"  timeout client {Ms(o.RequestTimeout)}");
        c.AppendLine($"  timeout server {Ms(o.RequestTimeout)}");
        c.AppendLine($"  retries {o.Retries}");
        if (o.Redispatch) c.AppendLine("  option redispatch");
        c.AppendLine("frontend fe");
        c.AppendLine($"  bind 127.0.0.1:{port}");
        c.AppendLine("  default_backend be");
        c.AppendLine("backend be");
        c.AppendLine($"  balance {o.Balance}");
        if (o.RetryOn is { } retryOn) c.AppendLine($"  retry-on {retryOn}");
        if (o.HealthCheckPath is { } path) c.AppendLine($"  option httpchk GET {path}");
        foreach (var line in o.BackendLines) c.AppendLine("  " + line);
        var check = o.HealthCheckPath is null ? "" : $" check inter {Ms(o.CheckInterval)} fall 2 rise 1";
        for (var i = 0; i < backends.Count; i++) c.AppendLine($"  server s{i} {backends[i].Host}:{backends[i].Port}{check}");
        return c.ToString();
    }

    /// <summary>Sends one command to the admin socket and returns HAProxy's answer.</summary>
    public async Task<string> CommandAsync(string command)
    {
        // Right after start, and on a loaded machine, the admin socket can refuse a connection for a moment
        // (seen once in CI: "Cannot assign requested address"): retry, with a new socket each time, for up to ten seconds.
        Socket socket;
        for (var attempt = 1; ; attempt++)
        {
            socket = new Socket(AddressFamily.Unix, SocketType.Stream, ProtocolType.Unspecified);
            try
            {
                await socket.ConnectAsync(new UnixDomainSocketEndPoint(AdminSocket));
                break;
            }
            catch (SocketException) when (attempt < 100)
            {
                socket.Dispose();
                await Task.Delay(100);
            }
        }
        using var connected = socket;
        await socket.SendAsync(Encoding.ASCII.GetBytes(command + "\n"));
        var answer = new StringBuilder();
        var buffer = new byte[8192];
        int n;
        while ((n = await socket.ReceiveAsync(buffer)) > 0) answer.Append(Encoding.UTF8.GetString(buffer, 0, n));
        return answer.ToString();
    }

    /// <summary>Per server of backend BACKEND (<c>be</c> unless named): its status (UP, DOWN, MAINT, no check) and the sessions it has taken, from <c>show
    /// stat</c>.</summary>
    public async Task<IReadOnlyDictionary<string, (string Status, long Sessions)>> ServersAsync(string backend = "be")
    {
        var lines = (await CommandAsync("show stat")).Split('\n', StringSplitOptions.RemoveEmptyEntries);
        var header = lines[0].TrimStart('#', ' ').Split(',');
        int Column(string name) => Array.IndexOf(header, name);
        var servers = new Dictionary<string, (string, long)>(StringComparer.Ordinal);
        foreach (var fields in lines.Skip(1).Select(l => l.Split(',')))
        {
            if (fields[0] != backend || fields[1] is "BACKEND") continue;
            servers[fields[1]] = (fields[Column("status")], long.Parse(fields[Column("stot")], CultureInfo.InvariantCulture));
        }
        return servers;
    }

    public ValueTask DisposeAsync()
    {
        // SIGUSR1 is HAProxy's soft stop (finish what is in flight); a test wants it gone, so SIGTERM.
        _process.Signal("TERM", TimeSpan.FromSeconds(10));
        _process.Dispose();
        try
        {
            Directory.Delete(Folder, recursive: true);
        }
        catch (IOException)
        {
            // The OS cleans the temporary folder eventually.
        }
        return ValueTask.CompletedTask;
    }
}
