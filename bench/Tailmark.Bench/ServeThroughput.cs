using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;

namespace Tailmark.Bench;

/// <summary>
/// The reward server under load with a warm verdict cache (no judge latency), driven by CLIENTS concurrent .NET
/// HttpClient loops sending batches of 1, 16 and 256 items for SECONDS each. Reports rewards/s, requests/s, p50/p99
/// latency and the server's peak RSS. (`serve-wrk` drives the same server with wrk, a far cheaper load generator.)
/// </summary>
internal static class ServeThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var seconds = args.Length > 0 ? double.Parse(args[0], CultureInfo.InvariantCulture) : 10;
        var clients = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 32;
        await using var server = await ServeBenchServer.StartAsync();
        var items = server.Items;
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        Console.WriteLine($"warm cache: {items.Length} distinct items over 64 prompts x 11 criteria; {clients} clients, {seconds} s per batch size");
        Console.WriteLine("batch  requests/s  rewards/s   p50 ms   p99 ms  errors");
        foreach (var batch in new[] { 1, 16, 256 })
        {
            var latencies = new List<double>();
            var errors = 0;
            var clock = Stopwatch.StartNew();
            await Task.WhenAll(Enumerable.Range(0, clients).Select(async c =>
            {
                var rng = new Random(c);
                var mine = new List<double>();
                while (clock.Elapsed.TotalSeconds < seconds)
                {
                    var body = new { items = Enumerable.Range(0, batch).Select(_ => items[rng.Next(items.Length)]).ToArray() };
                    var t = Stopwatch.GetTimestamp();
                    using var response = await http.PostAsJsonAsync(server.Url, body);
                    await response.Content.ReadAsByteArrayAsync();
                    if (!response.IsSuccessStatusCode) Interlocked.Increment(ref errors);
                    mine.Add(Stopwatch.GetElapsedTime(t).TotalMilliseconds);
                }
                lock (latencies) latencies.AddRange(mine);
            }));
            var elapsed = clock.Elapsed.TotalSeconds;
            latencies.Sort();
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"{batch,5} {latencies.Count / elapsed,11:0} {latencies.Count * batch / elapsed,10:0} {latencies[latencies.Count / 2],8:0.0} " +
                    $"{latencies[(int)(latencies.Count * 0.99)],8:0.0} {errors,7}"));
        }
        Console.WriteLine($"server peak resident memory: {server.Memory().Peak} kB");
        return 0;
    }
}
