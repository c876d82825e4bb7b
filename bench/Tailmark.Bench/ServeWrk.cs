using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace Tailmark.Bench;

/// <summary>
/// The reward server with a warm verdict cache, loaded by wrk (Debian's package; C, a few µs of CPU per request) so the
/// load generator takes as little of the two cores as possible. Modes:
/// <c>serve-wrk [SECONDS] [CONNECTIONS] [-- SERVE_ARGS…]</c> — throughput and latency for batches of 1, 16 and 256 at saturation,
/// then latency of batch 16 at light load (4 connections);
/// <c>serve-conns [CONNECTIONS] [SECONDS]</c> — memory with that many open connections (batch 1);
/// <c>serve-soak [MINUTES] [CONNECTIONS]</c> — batch 16 minute after minute: throughput, p99 and resident memory each minute.
/// </summary>
internal static partial class ServeWrk
{
    public sealed record WrkResult(double RequestsPerSecond, double P50Ms, double P99Ms, long Errors, long Requests);

    public static async Task<int> RunAsync(string mode, string[] args)
    {
        if (!File.Exists("/usr/bin/wrk") && !Which("wrk"))
        {
            Console.Error.WriteLine("wrk not found: apt-get install wrk");
            return 2;
        }
        // Arguments after "--" go to `tailmark serve` itself (e.g. -- --refine-online), so a feature's cost is measured the same way.
        var split = Array.IndexOf(args, "--");
        var serveArgs = split < 0 ? [] : args[(split + 1)..];
        if (split >= 0) args = args[..split];
        await using var server = await ServeBenchServer.StartAsync(serveArgs);
        var work = Directory.CreateTempSubdirectory("tailmark-wrk").FullName;
        try
        {
            var script = Path.Combine(work, "bodies.lua");
            await File.WriteAllTextAsync(script, LuaScript);
            string BodiesFor(int batch)
            {
                var path = Path.Combine(work, $"bodies-{batch}.jsonl");
                if (!File.Exists(path)) File.WriteAllLines(path, server.Bodies(batch, batch >= 256 ? 64 : 512, batch));
                return path;
            }
            switch (mode)
            {
                case "serve-wrk":
                {
                    var seconds = Arg(args, 0, 10);
                    var connections = (int)Arg(args, 1, 32);
                    Console.WriteLine($"warm cache: {server.Items.Length} distinct items, 64 prompts x 11 criteria; wrk -t2 -c{connections}, {seconds} s per " +
                        $"batch size");
                    Console.WriteLine("batch  connections  requests/s  rewards/s   p50 ms   p99 ms  non-2xx");
                    foreach (var (batch, conns) in new[] { (1, connections), (16, connections), (256, connections), (16, 4), (1, 4) })
                    {
                        var r = await Wrk(server.Url, script, BodiesFor(batch), conns, seconds);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{batch,5} {conns,12} {r.RequestsPerSecond,11:0} {r.RequestsPerSecond * batch,10:0} {r.P50Ms,8:0.00} {r.P99Ms,8:0.00} " +
                                $"{r.Errors,8}"));
                    }
                    var (now, peak) = server.Memory();
                    Console.WriteLine($"server resident memory: {now / 1024} MB now, {peak / 1024} MB peak");
                    break;
                }
                case "serve-conns":
                {
                    var connections = (int)Arg(args, 0, 1000);
                    var seconds = Arg(args, 1, 20);
                    var before = server.Memory();
                    var r = await Wrk(server.Url, script, BodiesFor(1), connections, seconds, threads: 2);
                    var after = server.Memory();
                    Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"{connections} connections, batch 1, {seconds} s: {r.RequestsPerSecond:0} requests/s, p50 {r.P50Ms:0.0} ms, p99 {r.P99Ms:0.0} ms, " +
                            $"non-2xx {r.Errors}"));
                    Console.WriteLine($"server resident memory: {before.Current / 1024} MB before, {after.Current / 1024} MB after, {after.Peak / 1024} MB " +
                        $"peak");
                    break;
                }
                case "serve-soak":
                {
                    var minutes = (int)Arg(args, 0, 10);
                    var connections = (int)Arg(args, 1, 16);
                    Console.WriteLine($"soak: batch 16, wrk -t2 -c{connections}, {minutes} one-minute rounds");
                    Console.WriteLine("minute  requests/s  rewards/s   p50 ms   p99 ms  non-2xx  RSS MB  heap after last GC MB  after last full GC MB  gen2 " +
                        "GCs");
                    using var http = new HttpClient();
                    var metricsUrl = new Uri(server.Url, "/metrics");
                    for (var m = 1; m <= minutes; m++)
                    {
                        var r = await Wrk(server.Url, script, BodiesFor(16), connections, 60);
                        var metrics = await http.GetStringAsync(metricsUrl);
                        double Gauge(string name) =>
                            double.Parse(Regex.Match(metrics, $@"^{name}(?:\{{\}})? ([\d.E+]+)$", RegexOptions.Multiline).Groups[1].Value,
                                CultureInfo.InvariantCulture);
                        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                            $"{m,6} {r.RequestsPerSecond,11:0} {r.RequestsPerSecond * 16,10:0} {r.P50Ms,8:0.00} {r.P99Ms,8:0.00} {r.Errors,8} " +
                                $"{server.Memory().Current / 1024,7} {Gauge("dotnet_gc_heap_after_last_collection_bytes") / 1048576,22:0.0} " +
                                    $"{Gauge("dotnet_gc_heap_after_last_full_collection_bytes") / 1048576,22:0.0} {Gauge("dotnet_gc_gen2_collections"),9:0}"));
                    }
                    Console.WriteLine($"server peak resident memory: {server.Memory().Peak / 1024} MB");
                    break;
                }
            }
        }
        finally
        {
            Directory.Delete(work, recursive: true);
        }
        return 0;
    }

    private static double Arg(string[] args, int i, double fallback) => args.Length > i ? double.Parse(args[i], CultureInfo.InvariantCulture) : fallback;

    private static bool Which(string name) => (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':').Any(d => File.Exists(Path.Combine(d, name)));

    public static async Task<WrkResult> Wrk(Uri url, string script, string bodies, int connections, double seconds, int threads = 2)
    {
        var start = new ProcessStartInfo("wrk") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { $"-t{threads}", $"-c{connections}", $"-d{seconds.ToString(CultureInfo.InvariantCulture)}s", "--latency", "--timeout", "30s",
            "-s", script, url.ToString(), "--", bodies }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"wrk failed: {await process.StandardError.ReadToEndAsync()}\n{output}");
        static double Ms(string value, string unit) =>
            double.Parse(value, CultureInfo.InvariantCulture) * unit switch { "us" => 0.001, "ms" => 1, "s" => 1000, _ => 60000 };
        var p50 = Regex.Match(output, @"^\s+50%\s+([\d.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline);
        var p99 = Regex.Match(output, @"^\s+99%\s+([\d.]+)(us|ms|s|m)\s*$", RegexOptions.Multiline);
        var rps = double.Parse(Rps().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        var errors = NonOk().Match(output) is { Success: true } m ? long.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : 0;
        var socketErrors = SocketErrors().Match(output) is { Success: true } s ? s.Groups.Values.Skip(1).Sum(g =>
            long.Parse(g.Value, CultureInfo.InvariantCulture)) : 0;
        var requests = long.Parse(Requests().Match(output).Groups[1].Value, CultureInfo.InvariantCulture);
        return new WrkResult(rps, Ms(p50.Groups[1].Value, p50.Groups[2].Value), Ms(p99.Groups[1].Value, p99.Groups[2].Value), errors + socketErrors, requests);
    }

    // Each wrk thread loads the request bodies once and sends a random one per request.
    private const string LuaScript = """
        local bodies = {}
        function init(args)
          for line in io.lines(args[1]) do bodies[#bodies + 1] = line end
          math.randomseed(os.time() + tonumber(tostring({}):match("0x(%x+)") or "0", 16) % 100000)
        end
        wrk.method = "POST"
        wrk.headers["Content-Type"] = "application/json"
        request = function()
          return wrk.format(nil, nil, nil, bodies[math.random(#bodies)])
        end
        """;

    [GeneratedRegex(@"Requests/sec:\s*([\d.]+)")]
    private static partial Regex Rps();

    [GeneratedRegex(@"Non-2xx or 3xx responses:\s*(\d+)")]
    private static partial Regex NonOk();

    [GeneratedRegex(@"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)")]
    private static partial Regex SocketErrors();

    [GeneratedRegex(@"(\d+) requests in")]
    private static partial Regex Requests();
}
