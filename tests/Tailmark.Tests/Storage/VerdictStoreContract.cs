using System.Globalization;
using Tailmark.Judging;
using Tailmark.Llm;
using Tailmark.Scoring;
using Tailmark.Sim.Server;
using Tailmark.Sim;
using Tailmark.Storage;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Storage;

/// <summary>
/// The behaviour every verdict store keeps (<see cref="IVerdictStore"/>), run unchanged against each: SQLite
/// (<see cref="SqliteVerdictStoreTests"/>) and PostgreSQL (<see cref="PostgresVerdictStoreTests"/>). Stores are the
/// real ones; judges are the simulated world over HTTP; the CLI runs as a child process.
/// </summary>
public abstract class VerdictStoreContract
{
    /// <summary>A new, empty store: how this process opens it, and how a CLI child gives it to --cache (with its environment).</summary>
    protected sealed record StoreUnderTest(string Location, string CliLocation, IReadOnlyDictionary<string, string> CliEnvironment);

    protected abstract Task<StoreUnderTest> NewStoreAsync();

    /// <summary>The verdicts a lookup found, element by element (null: a miss).</summary>
    protected static void Same(IEnumerable<CachedVerdict?> expected, IEnumerable<CachedVerdict?> actual) => Assert.Equal(expected, actual);

    private static string K(int i) => VerdictCacheKey.Of("contract", i.ToString(CultureInfo.InvariantCulture));

    // Every shape a verdict takes: met or not, with or without a level, P(yes) and a reason (long, non-ASCII).
    protected static CachedVerdict V(int i) => (i % 5) switch
    {
        0 => new CachedVerdict(StoredStatus.Met, null, null, null),
        1 => new CachedVerdict(StoredStatus.NotMet, 2, null, "the response never names the dose"),
        2 => new CachedVerdict(StoredStatus.Met, null, 0.8731520962715149, $"✓ «cites» the guideline — {i}"),
        3 => new CachedVerdict(StoredStatus.NotMet, -1.5, 1e-300, new string('x', 500)),
        _ => new CachedVerdict(StoredStatus.Met, 3, 1, ""),
    };

    private static int MetAmong(int count) => Enumerable.Range(0, count).Count(i => V(i).Status == StoredStatus.Met);

    private static List<KeyValuePair<string, CachedVerdict>> Verdicts(int from, int count) =>
        [.. Enumerable.Range(from, count).Select(i => new KeyValuePair<string, CachedVerdict>(K(i), V(i)))];

    [Fact]
    public async Task Find_AnswersEveryKeyInItsPlace_InOneRoundTrip()
    {
        var s = await NewStoreAsync();
        using var store = VerdictStores.Open(s.Location);
        store.Put(Verdicts(0, 20));
        store.Put(Verdicts(20, 20));
        await store.FlushAsync();
        var reads = store.Health.Reads;
        var found = await store.FindAsync([K(7), K(1000), K(0), K(7), K(39), K(1001), K(23)]);
        Assert.Equal(reads + 1, store.Health.Reads);
        Same([V(7), null, V(0), V(7), V(39), null, V(23)], found);
        Assert.Empty(await store.FindAsync([]));
    }

    [Fact]
    public async Task Verdicts_SurviveClosingAndReopening_AndStatsCountThem()
    {
        var s = await NewStoreAsync();
        using (var store = VerdictStores.Open(s.Location))
        {
            foreach (var v in Verdicts(0, 30)) store.Put([v]);
        }
        using var reopened = VerdictStores.Open(s.Location);
        Same(Verdicts(0, 30).Select(v => v.Value), await reopened.FindAsync([.. Enumerable.Range(0, 30).Select(K)]));
        var stats = await reopened.StatsAsync();
        Assert.Equal(30, stats.Entries);
        Assert.Equal(MetAmong(30), stats.Met);
        Assert.Equal(30 - MetAmong(30), stats.NotMet);
        Assert.True(stats.Bytes > 0);
        Assert.NotNull(stats.Oldest);
        Assert.InRange(stats.Newest!.Value, stats.Oldest!.Value, DateTimeOffset.UtcNow.AddMinutes(5));
    }

    [Theory]
    [InlineData(double.NaN, null)]
    [InlineData(null, double.PositiveInfinity)]
    [InlineData(double.NegativeInfinity, 0.5)]
    public async Task Verdicts_WithNumbersThatAreNotFinite_AreRefused(double? level, double? pYes)
    {
        var s = await NewStoreAsync();
        using var store = VerdictStores.Open(s.Location);
        Assert.Throws<ArgumentException>(() => store.Put([new(K(1), new CachedVerdict(StoredStatus.Met, level, pYes, null))]));
        await store.FlushAsync();
        Same([null], await store.FindAsync([K(1)]));
    }

    [Fact]
    public async Task Text_AStoreCannotHold_IsCleanedTheSameWayInMemoryAndInTheStore()
    {
        var s = await NewStoreAsync();
        using var cache = VerdictCache.Open(s.Location);
        var at = new VerdictLookup(new WarmKey(cache.ScopeFor("t"), "d", new object(), 0), K(5));
        cache.Put([(at, new CachedVerdict(StoredStatus.Met, null, null, "a\0b \uD800 c \uD83D\uDE00"))]);
        await cache.Store.FlushAsync();
        Assert.True(cache.TryRecall(at.Warm, out var remembered));
        Assert.Equal("ab \uFFFD c \uD83D\uDE00", remembered.Reason);
        Same([remembered], await cache.Store.FindAsync([at.Key]));
    }

    [Fact]
    public async Task Prune_DeletesWhatWasStoredBeforeTheGivenTime()
    {
        var s = await NewStoreAsync();
        using var store = VerdictStores.Open(s.Location);
        store.Put(Verdicts(0, 10));
        await store.FlushAsync();
        Assert.Equal(0, await store.PruneAsync(DateTimeOffset.UtcNow.AddHours(-1)));
        Assert.Equal(10, (await store.StatsAsync()).Entries);
        Assert.Equal(10, await store.PruneAsync(DateTimeOffset.UtcNow.AddHours(1)));
        store.Put(Verdicts(10, 4));
        Assert.Equal(4, await store.PruneAsync(null));
        Assert.Equal(0, (await store.StatsAsync()).Entries);
        Same([null, null], await store.FindAsync([K(0), K(11)]));
    }

    [Fact]
    public async Task TwoStoresOnOneLocation_WritingAtOnce_LoseNothing()
    {
        var s = await NewStoreAsync();
        using var first = VerdictStores.Open(s.Location);
        using var second = VerdictStores.Open(s.Location);
        // Eight writers over overlapping ranges: 0-199, 100-299, … 700-899, each verdict in its own call.
        await Task.WhenAll(Enumerable.Range(0, 8).Select(t => Task.Run(() =>
        {
            foreach (var v in Verdicts(t * 100, 200)) (t % 2 == 0 ? first : second).Put([v]);
        })));
        await first.FlushAsync();
        await second.FlushAsync();
        using var third = VerdictStores.Open(s.Location);
        Assert.Equal(900, (await third.StatsAsync()).Entries);
        Same(Verdicts(0, 900).Select(v => v.Value), await third.FindAsync([.. Enumerable.Range(0, 900).Select(K)]));
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<SimWorld, Dictionary<string, Tailmark.Rubrics.Rubric>> Rubrics = [];

    private static SimServerOptions World(string? faults = null) => new()
    {
        World = new SimOptions { Seed = 31, Tasks = 6 },
        Faults = FaultSpec.Parse(faults),
    };

    private static readonly EndpointLimits Fast = new()
        { Timeout = TimeSpan.FromSeconds(5), MaxRetries = 0, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(20) };

    // Grades two responses per task of the world; the verdicts' statuses in a fixed order. The rubrics are built once
    // per world, as commands load them once: memory knows a criterion by its object.
    private static async Task<List<VerdictStatus>> GradeAll(SimServer server, JudgeEngine engine)
    {
        var statuses = new List<VerdictStatus>();
        var rubrics = Rubrics.GetValue(server.World, w => w.Tasks.ToDictionary(t => t.Id, SimFixtures.RubricFor));
        foreach (var row in SimFixtures.Responses(server.World, 2))
        {
            var task = server.World.TaskById(row.PromptId)!;
            var result = await engine.GradeAsync(task.Prompt, row.Response, rubrics[task.Id].Criteria);
            statuses.AddRange(result.Verdicts.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => v.Value.Status));
        }
        return statuses;
    }

    [Trait("Tier", "Integration")]
    [Fact]
    public async Task Engine_AsksTheStoreOncePerResponse_CountsHitsAndMisses_AndAWarmFrontAsksNothing()
    {
        var s = await NewStoreAsync();
        await using var server = await SimServer.StartAsync(World());
        using var judge = SimFixtures.Judge(server, Fast);
        var options = new JudgeOptions { Votes = 2 };
        const int responses = 6 * 2, verdicts = responses * 11 * 2;

        using var store = VerdictStores.Open(s.Location);
        var cache = new VerdictCache(store);
        var engine = new JudgeEngine([judge], cache, options);
        var first = await GradeAll(server, engine);
        Assert.Equal((0, verdicts), (cache.Hits, cache.Misses));
        Assert.Equal(responses, store.Health.Reads); // every key of a response (11 criteria × 2 votes) in one lookup
        var calls = server.Service.Stats.Snapshot().Requests;
        Assert.Equal(verdicts, calls);

        // The same engine again: every verdict from memory, no store round trip, no judge call.
        Assert.Equal(first, await GradeAll(server, engine));
        Assert.Equal((verdicts, verdicts), (cache.Hits, cache.Misses));
        Assert.Equal(responses, store.Health.Reads);
        // Another engine configured alike shares that memory.
        Assert.Equal(first, await GradeAll(server, new JudgeEngine([judge], cache, options)));
        Assert.Equal(responses, store.Health.Reads);
        await store.FlushAsync();

        // A new process (a new front on the store reopened): every verdict from the store, one lookup per response.
        using var reopened = VerdictStores.Open(s.Location);
        var cold = new VerdictCache(reopened);
        Assert.Equal(first, await GradeAll(server, new JudgeEngine([judge], cold, options)));
        Assert.Equal((verdicts, 0), (cold.Hits, cold.Misses));
        Assert.Equal(responses, reopened.Health.Reads);
        Assert.Equal(calls, server.Service.Stats.Snapshot().Requests);
    }

    [Trait("Tier", "Integration")]
    [Fact]
    public async Task Engine_NeverStoresCannotAssess_SoARerunAsksExactlyThoseAgain()
    {
        var s = await NewStoreAsync();
        int failed;
        await using (var flaky = await SimServer.StartAsync(World("5xx=0.3")))
        {
            using var judge = SimFixtures.Judge(flaky, Fast);
            using var cache = VerdictCache.Open(s.Location);
            var statuses = await GradeAll(flaky, new JudgeEngine([judge], cache, new JudgeOptions()));
            failed = statuses.Count(v => v == VerdictStatus.CannotAssess);
            Assert.InRange(failed, 1, statuses.Count - 1);
            await cache.Store.FlushAsync();
            Assert.Equal(statuses.Count - failed, (await cache.Store.StatsAsync()).Entries);
        }
        await using var healthy = await SimServer.StartAsync(World());
        using var again = SimFixtures.Judge(healthy, Fast);
        using var reopened = VerdictCache.Open(s.Location);
        var rerun = await GradeAll(healthy, new JudgeEngine([again], reopened, new JudgeOptions()));
        Assert.DoesNotContain(VerdictStatus.CannotAssess, rerun);
        Assert.Equal(failed, healthy.Service.Stats.Snapshot().Requests);
        Assert.Equal(failed, reopened.Misses);
    }

    protected static string[] Grade(string rubrics, string responses, string output, string cache, params string[] extra) =>
        ["grade", "--rubrics", rubrics, "--responses", responses, "--judge", "sim", "--sim-tasks", "8", "--cache", cache, "--out", output, .. extra];

    [Trait("Tier", "Integration")]
    [Fact]
    public async Task Grade_KilledMidRun_ResumesWithoutRepeatingAndWritesIdenticalOutput()
    {
        using var dir = new TempDir();
        var s = await NewStoreAsync();
        var (rubrics, responses) = SimFixtures.WriteGradeInputs(dir, 8, 3);
        const int total = 8 * 3 * 11;
        var clean = CliProcess.Run(Grade(rubrics, responses, dir.File("clean.jsonl"), dir.File("clean.sqlite")));
        Assert.Equal(0, clean.ExitCode);

        // A slow simulated server (4 slots, 2,000 decode tokens/s) so the run is killed part-way.
        using var store = VerdictStores.Open(s.Location);
        var killed = "";
        using (var process = CliProcess.Start(null, s.CliEnvironment,
            Grade(rubrics, responses, dir.File("out.jsonl"), s.CliLocation, "--sim-capacity", "slots=4,prefill_tps=100000,decode_tps=2000")))
        {
            var output = process.StandardOutput.ReadToEndAsync();
            var errors = process.StandardError.ReadToEndAsync();
            var deadline = DateTime.UtcNow.AddSeconds(90);
            long stored = 0;
            while (DateTime.UtcNow < deadline && stored < 40 && !process.HasExited)
            {
                await Task.Delay(100);
                stored = (await store.StatsAsync()).Entries;
            }
            Assert.False(process.HasExited, "the run finished before it could be killed");
            process.Kill(entireProcessTree: true); // kill -9: no chance to clean up
            await process.WaitForExitAsync();
            killed = await output + await errors;
        }
        Assert.False(File.Exists(dir.File("out.jsonl")), $"no partial output may appear under the final name; the killed run said: {killed}");
        var before = (await store.StatsAsync()).Entries;
        Assert.InRange(before, 40, total - 1);

        var rerun = CliProcess.RunWith(null, s.CliEnvironment, Grade(rubrics, responses, dir.File("out.jsonl"), s.CliLocation));
        Assert.True(rerun.ExitCode == 0, rerun.All);
        Assert.Equal(File.ReadAllBytes(dir.File("clean.jsonl")), File.ReadAllBytes(dir.File("out.jsonl")));
        // The rerun asked the judge only for the verdicts the killed run had not stored.
        Assert.Matches($@"judge calls\s*│\s*{total - before}\s", rerun.Stdout);
        Assert.Matches($@"cache hits\s*│\s*{before}\s", rerun.Stdout);
        Assert.Equal(total, (await store.StatsAsync()).Entries);
    }

    [Trait("Tier", "Integration")]
    [Fact]
    public async Task CacheCommand_StatsAndPrune_ReportAndDelete()
    {
        using var dir = new TempDir();
        var s = await NewStoreAsync();
        var none = CliProcess.RunWith(null, s.CliEnvironment, "cache", "stats", "--cache", s.CliLocation);
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("no verdict cache here", none.Stderr);
        var (rubrics, responses) = SimFixtures.WriteGradeInputs(dir, 1, 1);
        Assert.Equal(0, CliProcess.RunWith(null, s.CliEnvironment, Grade(rubrics, responses, dir.File("g.jsonl"), s.CliLocation)).ExitCode);
        var stats = CliProcess.RunWith(null, s.CliEnvironment, "cache", "stats", "--cache", s.CliLocation);
        Assert.True(stats.ExitCode == 0, stats.All);
        Assert.Matches(@"verdicts\s*│\s*11\s", stats.Stdout);
        var prune = CliProcess.RunWith(null, s.CliEnvironment, "cache", "prune", "--all", "--cache", s.CliLocation);
        Assert.Contains("removed 11 verdict(s)", prune.Stdout);
        Assert.Equal(2, CliProcess.RunWith(null, s.CliEnvironment, "cache", "prune", "--cache", s.CliLocation).ExitCode);
        using var store = VerdictStores.Open(s.Location);
        Assert.Equal(0, (await store.StatsAsync()).Entries);
    }
}
