using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tailmark.Sim;
using Tailmark.Sim.Server;
using Tailmark.Tests.Support;
using Xunit.Abstractions;

namespace Tailmark.Tests.Server;

/// <summary>
/// Three <c>tailmark serve</c> processes on one PostgreSQL store behind HAProxy running deploy/haproxy.cfg, all real
/// processes on 127.0.0.1, judged by one simulated judge whose calls are counted. Every reward is compared with a
/// single-process run of the same items (one serve on a SQLite cache, the same judge); the judge calls of that run are
/// the work there is, so the replicas' extra calls are the duplicates. One test in phases, to start the processes once.
/// </summary>
[Collection(PostgresCollection.Name)]
[Trait("Tier", "Integration")]
public sealed class ReplicaTests(PostgresFixture fixture, ITestOutputHelper output)
{
    private static readonly SimWorld World = new(21, 6);

    // A GRPO group: one prompt, four different responses. NAME keeps the groups of different phases apart.
    private static JsonObject Group(string name, int task) => new()
    {
        ["items"] = new JsonArray([.. Enumerable.Range(0, 4).Select(k => (JsonNode)new JsonObject
        {
            ["prompt_id"] = World.Tasks[task].Id,
            ["response"] = $"You should {World.Tasks[task].Facets[k % World.Tasks[task].Facets.Length].Phrase}. Rollout {name}-{k}.",
        })]),
    };

    private static List<JsonObject> Groups(string name, int count) => [.. Enumerable.Range(0, count).Select(i => Group($"{name}{i}", i % World.Tasks.Length))];

    private static async Task<double?[]> RewardsAsync(HttpClient http, Uri server, JsonObject group)
    {
        using var answer = await http.PostAsync(new Uri(server, "v1/reward"), new StringContent(group.ToJsonString(), Encoding.UTF8, "application/json"));
        var body = await answer.Content.ReadAsStringAsync();
        Assert.True(answer.StatusCode == HttpStatusCode.OK, $"{(int)answer.StatusCode} from {server}: {body}");
        return [.. JsonDocument.Parse(body).RootElement.GetProperty("rewards").EnumerateArray().Select(e =>
            e.ValueKind == JsonValueKind.Number ? e.GetDouble() : (double?)null)];
    }

    /// <summary>Sends GROUPS to SERVER, WIDTH at a time; AFTER(n) runs once n answers have come.</summary>
    private static async Task<double?[][]> LoadAsync(HttpClient http, Uri server, IReadOnlyList<JsonObject> groups, int width, Func<int, Task>? after = null)
    {
        var results = new double?[groups.Count][];
        var next = -1;
        var done = 0;
        await Task.WhenAll(Enumerable.Range(0, width).Select(async _ =>
        {
            for (var i = Interlocked.Increment(ref next); i < groups.Count; i = Interlocked.Increment(ref next))
            {
                results[i] = await RewardsAsync(http, server, groups[i]);
                if (after is not null) await after(Interlocked.Increment(ref done));
            }
        }));
        return results;
    }

    private static long JudgeCalls(SimServer sim) => sim.Service.Stats.Snapshot().Requests;

    private static async Task<double> MetricAsync(HttpClient http, Uri server, string name) =>
        await Scrape.ValueAsync(http, server, name) ?? throw new InvalidOperationException($"{server}metrics has no {name}");

    private static async Task UntilAsync(Func<Task<bool>> condition, string what)
    {
        for (var i = 0; i < 300; i++)
        {
            if (await condition()) return;
            await Task.Delay(100);
        }
        Assert.Fail("never happened: " + what);
    }

    [Fact]
    public async Task ThreeReplicasOnPostgres_BehindHaproxy_ShareVerdicts_JudgeOnce_SurviveAKilledReplicaAndAStoreOutage()
    {
        // The judge takes a few tens of milliseconds per call, so that requests are in flight when a replica is killed.
        await using var sim = await SimServer.StartAsync(new SimServerOptions
        {
            World = new SimOptions { Seed = World.Seed, Tasks = World.Tasks.Length },
            Capacity = CapacitySpec.Parse("slots=16,prefill_tps=2000000,decode_tps=3000"),
        });
        using var dir = new TempDir();
        var rubrics = dir.File("rubrics.jsonl");
        SimFixtures.WriteRubrics(rubrics, World);
        string[] common = ["--rubrics", rubrics, "--judge", $"{new Uri(sim.BaseUrl, "v1")}#sim-judge", "--mode", "all", "--grading-slots", "64"];
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };

        var crossGroup = Group("cross", 0);
        var dupGroups = Groups("dup", 6);
        var loadGroups = Groups("load", 24);
        var outageGroups = Groups("outage", 6);
        var backGroups = Groups("back", 6);

        // The single-process run: expected rewards, and the judge calls the work takes once.
        var expected = new Dictionary<string, double?[]>(StringComparer.Ordinal);
        long distinctDupCalls;
        using (var single = new ServeProcess(["--cache", dir.File("single.sqlite"), .. common]))
        {
            var before = JudgeCalls(sim);
            var dupRewards = await LoadAsync(http, single.Url, dupGroups, 4);
            distinctDupCalls = JudgeCalls(sim) - before;
            List<JsonObject> rest = [crossGroup, .. loadGroups, .. outageGroups, .. backGroups];
            var restRewards = await LoadAsync(http, single.Url, rest, 4);
            foreach (var (g, r) in dupGroups.Zip(dupRewards).Concat(rest.Zip(restRewards))) expected[g.ToJsonString()] = r;
        }
        Assert.All(expected.Values.SelectMany(r => r), r => Assert.NotNull(r)); // every item graded: a comparison of real rewards

        var database = await fixture.Server.CreateDatabaseAsync();
        var env = new Dictionary<string, string> { ["TAILMARK_PG_PASSWORD"] = fixture.Server.Password };
        string[] replicaArgs = ["--cache", fixture.Server.Url(database), "--lease-seconds", "2", .. common];
        var replicas = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Task.Run(() => new ServeProcess(env, replicaArgs))));
        try
        {
            // A verdict judged on one replica is a hit on another: no judge call, and the second counts cache hits.
            Assert.Equal(expected[crossGroup.ToJsonString()], await RewardsAsync(http, replicas[0].Url, crossGroup));
            await UntilAsync(async () => await MetricAsync(http, replicas[0].Url, "tailmark_verdict_store_pending") == 0, "replica 0 wrote its verdicts");
            var callsBefore = JudgeCalls(sim);
            Assert.Equal(expected[crossGroup.ToJsonString()], await RewardsAsync(http, replicas[1].Url, crossGroup));
            Assert.Equal(callsBefore, JudgeCalls(sim));
            Assert.True(await MetricAsync(http, replicas[1].Url, "tailmark_cache_hits_total") >= 4);

            // Duplicates: every group sent to all three replicas at the same moment (a trainer's retry, a group resent).
            // With leases, one replica judges and the others wait for its verdicts.
            var before = JudgeCalls(sim);
            var copies = await Task.WhenAll(dupGroups.SelectMany(g => replicas.Select(r => RewardsAsync(http, r.Url, g))));
            var dupCalls = JudgeCalls(sim) - before;
            for (var i = 0; i < copies.Length; i++) Assert.Equal(expected[dupGroups[i / 3].ToJsonString()], copies[i]);
            double waits = 0, served = 0;
            foreach (var r in replicas)
            {
                waits += await MetricAsync(http, r.Url, "tailmark_verdict_lease_waits_total");
                served += await MetricAsync(http, r.Url, "tailmark_verdict_lease_served_total");
            }
            output.WriteLine($"duplicates: {dupGroups.Count} groups × 3 replicas at once: {dupCalls} judge calls, {distinctDupCalls} in one process; lease " +
                $"waits {waits}, verdicts served by claims {served}");
            // Without leases each copy is judged (3 × the distinct calls); with them, what is left is the rare copy whose
            // lookup and claim straddle another's whole judging.
            Assert.InRange(dupCalls, distinctDupCalls, distinctDupCalls + distinctDupCalls / 4);

            // Load through HAProxy (deploy/haproxy.cfg), one replica SIGKILLed mid-load: every request answered, rewards
            // those of one process.
            await using var balancer = await HaproxyServer.StartFromFileAsync(Path.Combine(TestPaths.RepoRoot, "deploy", "haproxy.cfg"), new Dictionary<string,
                string>
            {
                ["TAILMARK_REPLICA_1"] = replicas[0].Url.Authority,
                ["TAILMARK_REPLICA_2"] = replicas[1].Url.Authority,
                ["TAILMARK_REPLICA_3"] = replicas[2].Url.Authority,
            });
            await UntilAsync(async () => (await balancer.ServersAsync("replicas")).Values.All(s => s.Status.StartsWith("UP", StringComparison.Ordinal)),
                "HAProxy saw all three replicas up");
            var killed = 0;
            var loaded = await LoadAsync(http, balancer.BaseUrl, loadGroups, 8, answered =>
            {
                if (answered == 6 && Interlocked.Exchange(ref killed, 1) == 0) replicas[2].Process.Kill(); // SIGKILL
                return Task.CompletedTask;
            });
            Assert.Equal(1, killed);
            Assert.True(replicas[2].Process.HasExited);
            for (var i = 0; i < loadGroups.Count; i++) Assert.Equal(expected[loadGroups[i].ToJsonString()], loaded[i]);

            // PostgreSQL stopped mid-run: rewards go on (judged again), /health says why, and the replicas reconnect.
            await fixture.Server.StopAsync();
            var during = await LoadAsync(http, balancer.BaseUrl, outageGroups, 4);
            for (var i = 0; i < outageGroups.Count; i++) Assert.Equal(expected[outageGroups[i].ToJsonString()], during[i]);
            var health = JsonDocument.Parse(await http.GetStringAsync(new Uri(replicas[0].Url, "health"))).RootElement;
            Assert.Equal("degraded", health.GetProperty("status").GetString());
            Assert.Contains("verdict_store_unreachable", health.GetProperty("reasons").EnumerateArray().Select(r => r.GetProperty("code").GetString()));
            Assert.Equal(0, await MetricAsync(http, replicas[0].Url, "tailmark_verdict_store_up"));
            Assert.True(await MetricAsync(http, replicas[0].Url, "tailmark_verdict_store_outages_total") >= 1);

            await fixture.Server.StartAgainAsync();
            var back = await LoadAsync(http, balancer.BaseUrl, backGroups, 4);
            for (var i = 0; i < backGroups.Count; i++) Assert.Equal(expected[backGroups[i].ToJsonString()], back[i]);
            foreach (var r in replicas.Take(2))
            {
                await UntilAsync(async () => await MetricAsync(http, r.Url, "tailmark_verdict_store_up") == 1
                    && await MetricAsync(http, r.Url, "tailmark_verdict_store_pending") == 0, $"{r.Url} reconnected and wrote what waited");
                Assert.Equal(0, await MetricAsync(http, r.Url, "tailmark_verdict_store_dropped_total"));
            }
            Assert.Contains("the verdict store is unreachable", replicas[0].Errors + replicas[1].Errors);
            Assert.Contains("the verdict store is reachable again", replicas[0].Errors + replicas[1].Errors);
            // What was judged during the outage reached the store afterwards: every outage item is stored (one verdict per judged criterion at least).
            var stored = await fixture.Server.ScalarAsync<long>(database, "SELECT count(*) FROM tailmark_verdicts");
            output.WriteLine($"verdicts stored: {stored}");
            Assert.True(stored >= outageGroups.Count * 4, $"{stored} verdicts stored");
        }
        finally
        {
            foreach (var r in replicas) r.Dispose();
        }
    }
}
