using System.Diagnostics;
using System.Globalization;
using Tailmark.Storage;
using Tailmark.Tests.Support;

namespace Tailmark.Bench;

/// <summary>
/// What the verdict store costs per verdict, SQLite against PostgreSQL (a server this benchmark starts with
/// PostgreSQL's durable defaults: every commit fsynced): writes from many graders at once (one verdict per call, as a
/// per-criterion judge answers, and a response's verdicts per call, as an all-at-once judge does), lookups of a
/// response's keys in one round trip (absent keys — a cold store — and stored ones, with the in-memory front left out),
/// and, for scale, the front's memory and the SHA-256 key a warm verdict does without. Median of three passes, each on
/// keys of its own.
/// </summary>
internal static class StoreCost
{
    private static readonly CachedVerdict Verdict = new(StoredStatus.Met, null, null,
        "The response names the first-line drug and its usual adult dose, as the criterion asks.");

    public static async Task<int> RunAsync(string[] args)
    {
        var responses = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 2_000;
        var criteria = args.Length > 1 ? int.Parse(args[1], CultureInfo.InvariantCulture) : 20;
        var concurrency = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 16;
        Console.WriteLine($"{responses} responses x {criteria} criteria = {responses * criteria} verdicts per pass; {concurrency} graders at once where " +
            $"concurrent; median of 3 passes");
        Console.WriteLine("| store | operation | us per verdict (wall) | client CPU us per verdict | round trips per pass | verdicts per round trip |");
        Console.WriteLine("|---|---|---|---|---|---|");
        var folder = Path.Combine(Path.GetTempPath(), "tailmark-bench-store-" + Guid.NewGuid().ToString("N")[..8]);
        Directory.CreateDirectory(folder);
        try
        {
            await MeasureAsync("SQLite", Path.Combine(folder, "verdicts.sqlite"), responses, criteria, concurrency);
            await using var server = await PostgresServer.StartAsync(durable: true);
            await server.CreateDatabaseAsync("bench");
            var location = new Npgsql.NpgsqlConnectionStringBuilder(server.ConnectionString("bench")) { Pooling = true }.ConnectionString;
            await MeasureAsync("PostgreSQL", location, responses, criteria, concurrency);
            Front(responses, criteria);
        }
        finally
        {
            Directory.Delete(folder, recursive: true);
        }
        return 0;
    }

    private static async Task MeasureAsync(string name, string location, int responses, int criteria, int concurrency)
    {
        using var store = VerdictStores.Open(location);
        var pass = 0;
        string[][] Keys() => Enumerable.Range(0, responses)
            .Select(r => Enumerable.Range(0, criteria).Select(c =>
                VerdictCacheKey.Of(name, pass.ToString(CultureInfo.InvariantCulture), r.ToString(CultureInfo.InvariantCulture),
                    c.ToString(CultureInfo.InvariantCulture))).ToArray())
            .ToArray();
        var total = responses * criteria;

        // Writes: CONCURRENCY graders store what their judge calls answered, until all of it is durable.
        var stored = new List<string[][]>();
        foreach (var (label, perCall) in new[] { ("write, 1 verdict per call (per-criterion judge)", 1),
            ($"write, {criteria} verdicts per call (all-at-once judge)", criteria) })
        {
            Report(name, $"{label}, {concurrency} at once", total, await Median(async () =>
            {
                pass++;
                var keys = Keys();
                stored.Add(keys);
                await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, (response, _) =>
                {
                    foreach (var call in response.Chunk(perCall)) store.Put([.. call.Select(k => new KeyValuePair<string, CachedVerdict>(k, Verdict))]);
                    return ValueTask.CompletedTask;
                });
                await store.FlushAsync();
            }, () => store.Health.Writes));
        }

        // The bound on what a kill can lose: how long one verdict waits between Put and its commit, when nothing else is going on.
        var waits = new List<double>();
        pass++;
        var lone = Keys();
        for (var i = 0; i < Math.Min(500, responses); i++)
        {
            var sw = Stopwatch.StartNew();
            store.Put([new(lone[i][0], Verdict)]);
            await store.FlushAsync();
            waits.Add(sw.Elapsed.TotalMicroseconds);
        }
        waits.Sort();
        Console.WriteLine($"| {name} | one verdict alone, from Put to committed (what a kill can lose waits this long): median / p99 " +
            $"| {waits[waits.Count / 2]:0} / {waits[(int)(waits.Count * 0.99)]:0} us | | {waits.Count} | 1.0 |");

        var stats = await store.StatsAsync();
        Console.WriteLine($"| {name} | size on disk per stored verdict (reason of {Verdict.Reason!.Length} characters; table, index, log) " +
            $"| {stats.Bytes / (double)stats.Entries:0} bytes | | | |");

        // Lookups: a response's keys in one round trip; absent (cold) or stored (warm store), one grader or many.
        pass++;
        var absent = Keys();
        foreach (var (label, keys) in new[] { ("lookup of a response's keys, absent (cold store)", absent),
            ("lookup of a response's keys, stored", stored[^1]) })
        {
            foreach (var parallel in new[] { 1, concurrency })
            {
                Report(name, $"{label}, {(parallel == 1 ? "one grader" : $"{parallel} at once")}", total, await Median(async () =>
                {
                    await Parallel.ForEachAsync(keys, new ParallelOptions { MaxDegreeOfParallelism = parallel }, async (response, ct) =>
                    {
                        var found = await store.FindAsync(response, ct);
                        if ((found[0] is null) != ReferenceEquals(keys,
                            absent)) throw new InvalidOperationException("the lookup found what it should not, or missed what it should find");
                    });
                }, () => store.Health.Reads));
            }
        }
    }

    // The front: a warm verdict from memory (no key, no store), against the SHA-256 key it saves.
    private static void Front(int responses, int criteria)
    {
        using var cache = new VerdictCache(new SqliteVerdictStore(Path.Combine(Path.GetTempPath(), $"tailmark-front-{Guid.NewGuid():N}.sqlite")));
        var scope = cache.ScopeFor("bench");
        var objects = Enumerable.Range(0, criteria).Select(_ => new object()).ToArray();
        var digests = Enumerable.Range(0, responses).Select(r => VerdictCacheKey.Of("content", r.ToString(CultureInfo.InvariantCulture))).ToArray();
        var entries = new List<(VerdictLookup, CachedVerdict)>();
        foreach (var d in digests) foreach (var o in objects) entries.Add((new VerdictLookup(new WarmKey(scope, d, o, 0), VerdictCacheKey.Of(d, "criterion")),
            Verdict));
        cache.Put(entries);
        var total = responses * criteria;
        var memory = Time(() =>
        {
            foreach (var d in digests) foreach (var o in objects) if (!cache.TryRecall(new WarmKey(scope, d, o, 0),
                out _)) throw new InvalidOperationException("not in memory");
        });
        var hashing = Time(() =>
        {
            foreach (var d in digests) foreach (var o in objects) VerdictCacheKey.Of("judge", "0", "160", "-", "tm-judge-2", "auto", "per-criterion", d, "c7",
                "The response names the first-line drug.", "", "0");
        });
        Console.WriteLine($"| front | warm verdict from memory (no key, no store) | {memory.TotalMicroseconds / total:0.000} | | 0 | |");
        Console.WriteLine($"| front | the SHA-256 store key a warm verdict does without | {hashing.TotalMicroseconds / total:0.000} | | | |");
        File.Delete(cache.Location);
    }

    private static TimeSpan Time(Action action)
    {
        action();
        var times = Enumerable.Range(0, 3).Select(_ =>
        {
            var sw = Stopwatch.StartNew();
            action();
            return sw.Elapsed;
        }).Order().ToList();
        return times[1];
    }

    private sealed record Pass(TimeSpan Wall, TimeSpan Cpu, long RoundTrips);

    private static async Task<Pass> Median(Func<Task> run, Func<long> roundTrips)
    {
        var passes = new List<Pass>();
        for (var i = 0; i < 3; i++)
        {
            var process = Process.GetCurrentProcess();
            var cpu = process.TotalProcessorTime;
            var trips = roundTrips();
            var sw = Stopwatch.StartNew();
            await run();
            sw.Stop();
            process.Refresh();
            passes.Add(new Pass(sw.Elapsed, process.TotalProcessorTime - cpu, roundTrips() - trips));
        }
        return passes.OrderBy(p => p.Wall).ElementAt(1);
    }

    private static void Report(string store, string operation, int verdicts, Pass p) =>
        Console.WriteLine($"| {store} | {operation} | {p.Wall.TotalMicroseconds / verdicts:0.00} | {p.Cpu.TotalMicroseconds / verdicts:0.00} | " +
            $"{p.RoundTrips:#,0} | {(double)verdicts / Math.Max(1, p.RoundTrips):0.0} |");
}
