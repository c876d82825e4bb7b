using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using Tailmark.Judging;
using Tailmark.Llm;
using Tailmark.Scoring;
using Tailmark.Sim;
using Tailmark.Sim.Server;
using Tailmark.Storage;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Llm;

/// <summary>
/// Judge replicas (<see cref="ReplicaRouterChatClient"/>): the rendezvous rule, spill-over of a saturated replica,
/// ejection and probe-back on a fake clock, and whole grading runs over simulated servers on loopback — one of them
/// stopped mid-run — whose verdicts equal one server's.
/// </summary>
public sealed class ReplicaRouterTests
{
    private static readonly string[] Names = ["http://10.0.0.1:8000/v1", "http://10.0.0.2:8000/v1", "http://10.0.0.3:8000/v1", "http://10.0.0.4:8000/v1"];

    private static readonly List<string> Keys = [.. Enumerable.Range(0, 4000).Select(i => $"response-digest-{i}")];

    [Fact]
    public void Rule_SameKey_SameReplica_AndKeysSpreadEvenly()
    {
        var owners = Keys.Select(k => ReplicaChoice.Owner(Names, k)).ToList();
        // Deterministic: asked again (and with the list in another order), every key names the same replica.
        var reversed = Names.Reverse().ToList();
        for (var i = 0; i < Keys.Count; i++)
        {
            Assert.Equal(owners[i], ReplicaChoice.Owner(Names, Keys[i]));
            Assert.Equal(Names[owners[i]], reversed[ReplicaChoice.Owner(reversed, Keys[i])]);
        }
        // 4000 keys over 4 replicas: 1000 each expected; a hash that spreads them has each within ±15%.
        foreach (var count in owners.GroupBy(o => o).Select(g => g.Count())) Assert.InRange(count, 850, 1150);
        Assert.Equal(4, owners.Distinct().Count());
    }

    [Fact]
    public void Rule_RemovingAReplica_MovesOnlyItsKeys()
    {
        var before = Keys.Select(k => Names[ReplicaChoice.Owner(Names, k)]).ToList();
        var removed = Names[2];
        var rest = Names.Where(n => n != removed).ToList();
        var after = Keys.Select(k => rest[ReplicaChoice.Owner(rest, k)]).ToList();
        var moved = 0;
        for (var i = 0; i < Keys.Count; i++)
        {
            if (before[i] == removed)
            {
                moved++;
                continue;
            }
            Assert.Equal(before[i], after[i]);
        }
        // The removed replica's keys go to the others, not all to one of them (each of the 3 gets some).
        var heirs = Enumerable.Range(0, Keys.Count).Where(i => before[i] == removed).GroupBy(i => after[i]).ToList();
        Assert.Equal(3, heirs.Count);
        Assert.All(heirs, h => Assert.InRange(h.Count(), moved / 6, moved * 2 / 3));
        // And adding it back returns exactly those keys to it.
        Assert.Equal(before, Keys.Select(k => Names[ReplicaChoice.Owner(Names, k)]).ToList());
    }

    [Fact]
    public async Task Saturated_TheKeysReplicaHoldsItsShare_TheNextCallSpillsToTheLeastLoaded()
    {
        using var replicas = new HeldReplicas(3);
        // Concurrency 6 over 3 replicas: a share of 2 each.
        using var router = new ReplicaRouterChatClient(Spec(concurrency: 6), replicas.Clients);
        Assert.Equal(2, router.Share);
        var key = "one response";
        var owner = ReplicaChoice.Owner([.. replicas.Urls.Select(u => u.AbsoluteUri)], key);
        var first = router.GetResponseAsync("criterion 1", Keyed(key));
        var second = router.GetResponseAsync("criterion 2", Keyed(key));
        Assert.Equal([owner, owner], replicas.Arrivals());
        // Another key's call held by a third replica makes it busier than the one left.
        var other = Enumerable.Range(0, 100).Select(i => $"other {i}").First(k =>
            ReplicaChoice.Owner([.. replicas.Urls.Select(u => u.AbsoluteUri)], k) != owner);
        var otherOwner = ReplicaChoice.Owner([.. replicas.Urls.Select(u => u.AbsoluteUri)], other);
        var third = router.GetResponseAsync("elsewhere", Keyed(other));
        var spilled = router.GetResponseAsync("criterion 3", Keyed(key));
        var idle = Enumerable.Range(0, 3).Single(i => i != owner && i != otherOwner);
        Assert.Equal([owner, owner, otherOwner, idle], replicas.Arrivals());
        // Now no replica has room to spare (each holds at least half its share): the next call queues at its own.
        var queued = router.GetResponseAsync("criterion 4", Keyed(key));
        Assert.Equal([owner, owner, otherOwner, idle, owner], replicas.Arrivals());
        replicas.ReleaseAll();
        await Task.WhenAll(first, second, third, spilled, queued);
        // Once the owner is free, the key's calls return to it.
        await router.GetResponseAsync("criterion 5", Keyed(key));
        Assert.Equal(owner, replicas.Arrivals()[^1]);
        var usage = router.Snapshot();
        Assert.Equal(1, usage[idle].SpilledIn);
        Assert.Equal(0, usage[owner].SpilledIn);
        Assert.Equal(4, usage[owner].Calls);
    }

    [Fact]
    public async Task Failing_EjectedAfterNInARow_ProbedBackAfterTheBackoff_OnTheFakeClock()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.Parse("2026-01-01T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture));
        using var replicas = new HeldReplicas(2) { Immediate = true };
        var routing = new ReplicaRouting { EjectAfter = 2, EjectFor = TimeSpan.FromSeconds(10), MaxEjectFor = TimeSpan.FromSeconds(60) };
        using var router = new ReplicaRouterChatClient(Spec(concurrency: 8) with { Routing = routing }, replicas.Clients, clock);
        var names = replicas.Urls.Select(u => u.AbsoluteUri).ToList();
        var key = Enumerable.Range(0, 100).Select(i => $"k{i}").First(k => ReplicaChoice.Owner(names, k) == 0);
        replicas.Down[0] = true;
        // Two failures in a row on its owner eject replica 0.
        for (var i = 0; i < 2; i++) await Assert.ThrowsAsync<HttpRequestException>(() => router.GetResponseAsync("q", Keyed(key)));
        Assert.True(router.Snapshot()[0].Ejected);
        Assert.Equal(1, router.Snapshot()[0].Ejections);
        // While ejected, its keys go to the other replica.
        await router.GetResponseAsync("q", Keyed(key));
        Assert.Equal(1, replicas.Arrivals()[^1]);
        // After the back-off the next call probes it; still down, it is ejected again for twice as long.
        clock.Advance(TimeSpan.FromSeconds(10));
        await Assert.ThrowsAsync<HttpRequestException>(() => router.GetResponseAsync("q", Keyed(key)));
        Assert.Equal(0, replicas.Arrivals()[^1]);
        Assert.Equal(2, router.Snapshot()[0].Ejections);
        clock.Advance(TimeSpan.FromSeconds(19));
        await router.GetResponseAsync("q", Keyed(key));
        Assert.Equal(1, replicas.Arrivals()[^1]);
        // Up again: the probe at 20 s answers, and the key's calls are back on their owner.
        replicas.Down[0] = false;
        clock.Advance(TimeSpan.FromSeconds(1));
        await router.GetResponseAsync("q", Keyed(key));
        Assert.Equal(0, replicas.Arrivals()[^1]);
        Assert.False(router.Snapshot()[0].Ejected);
        await router.GetResponseAsync("q", Keyed(key));
        Assert.Equal(0, replicas.Arrivals()[^1]);
        Assert.Equal(3, router.Snapshot()[0].Failures);
        Assert.Equal(2, router.Snapshot()[0].Calls);
    }

    [Fact]
    [Trait("Tier", "Integration")]
    public async Task Retry_GoesToAReplicaNotYetTried()
    {
        // Replica 0 answers every call with a 5xx, and is never ejected (eject_after 1000): each call whose key it owns
        // fails there once, and its retry, sent to the other replica, answers.
        await using var broken = await SimServer.StartAsync(new SimServerOptions { World = new SimOptions { Tasks = 2 }, Faults = FaultSpec.Parse("5xx=1") });
        await using var healthy = await SimServer.StartAsync(new SimServerOptions { World = new SimOptions { Tasks = 2 } });
        var limits = new EndpointLimits { MaxRetries = 1, BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero };
        var spec = new EndpointSpec("replicas", EndpointKind.Http, broken.BaseUrl, "sim-judge", null, limits, PriceTable.Free)
        {
            Replicas = [broken.BaseUrl, healthy.BaseUrl],
            Routing = new ReplicaRouting { EjectAfter = 1000 },
        };
        using var client = EndpointClient.Create(spec);
        var names = new[] { broken.BaseUrl.AbsoluteUri, healthy.BaseUrl.AbsoluteUri };
        var keys = Enumerable.Range(0, 40).Select(i => $"response {i}").ToList();
        var owned = keys.Count(k => ReplicaChoice.Owner(names, k) == 0);
        Assert.InRange(owned, 1, 39);
        foreach (var key in keys) await client.GetResponseAsync([new ChatMessage(ChatRole.User, "Is it?")], Keyed(key));
        var usage = client.UsageSoFar();
        Assert.Equal((40L, 0L, (long)owned), (usage.Calls, usage.Failures, usage.Retries));
        Assert.Equal(owned, broken.Service.Stats.Snapshot().Requests);
        Assert.Equal(40, healthy.Service.Stats.Snapshot().Completions);
    }

    [Fact]
    [Trait("Tier", "Integration")]
    public async Task KilledReplica_ItsCallsGoElsewhere_NoCannotAssess_VerdictsEqualOneServers()
    {
        var options = new SimServerOptions { World = new SimOptions { Seed = 31, Tasks = 6 } };
        await using var single = await SimServer.StartAsync(options);
        var servers = new List<SimServer>();
        try
        {
            for (var i = 0; i < 3; i++) servers.Add(await SimServer.StartAsync(options));
            var limits = new EndpointLimits { Timeout = TimeSpan.FromSeconds(10), MaxRetries = 4, BaseDelay = TimeSpan.FromMilliseconds(5),
                MaxDelay = TimeSpan.FromMilliseconds(50) };
            var spec = new EndpointSpec("replicas", EndpointKind.Http, servers[0].BaseUrl, "sim-judge", null, limits, PriceTable.Free)
                { Replicas = [.. servers.Select(s => s.BaseUrl)] };
            using var replicated = EndpointClient.Create(spec);
            using var one = SimFixtures.Judge(single, limits);
            var judging = new JudgeOptions { Mode = JudgeMode.PerCriterion };
            var rows = SimFixtures.Responses(single.World, 2).ToList();
            var expected = await GradeAll(new JudgeEngine([one], null, judging), single.World, rows);
            var engine = new JudgeEngine([replicated], null, judging);
            var half = rows.Count / 2;
            var got = await GradeAll(engine, single.World, rows[..half]);
            // Every replica served some of the first half; then one is stopped (its port refuses connections).
            Assert.All(servers, s => Assert.True(s.Service.Stats.Snapshot().Completions > 0));
            await servers[1].DisposeAsync();
            var servedBefore = servers[1].Service.Stats.Snapshot().Completions;
            got.AddRange(await GradeAll(engine, single.World, rows[half..]));
            Assert.Equal(Flatten(expected), Flatten(got));
            Assert.DoesNotContain("CannotAssess", Flatten(got));
            var router = replicated.GetService<ReplicaRouterChatClient>()!;
            var usage = router.Snapshot();
            Assert.True(usage[1].Ejected);
            Assert.Equal(servedBefore, usage[1].Calls);
            // The replicas answered as many calls as the one server did: none lost, none answered twice.
            Assert.Equal(single.Service.Stats.Snapshot().Completions, servers.Sum(s => s.Service.Stats.Snapshot().Completions));
        }
        finally
        {
            foreach (var s in servers) await s.DisposeAsync();
        }
    }

    [Fact]
    [Trait("Tier", "Integration")]
    public async Task Affinity_EveryCallAboutOneResponse_ReachesOneReplica()
    {
        var options = new SimServerOptions { World = new SimOptions { Seed = 5, Tasks = 4 } };
        var servers = new List<SimServer>();
        try
        {
            for (var i = 0; i < 3; i++) servers.Add(await SimServer.StartAsync(options));
            var spec = new EndpointSpec("replicas", EndpointKind.Http, servers[0].BaseUrl, "sim-judge", null, new EndpointLimits(), PriceTable.Free)
                { Replicas = [.. servers.Select(s => s.BaseUrl)] };
            using var replicated = EndpointClient.Create(spec);
            var engine = new JudgeEngine([replicated], null, new JudgeOptions { Mode = JudgeMode.PerCriterion });
            var names = servers.Select(s => s.BaseUrl.AbsoluteUri).ToList();
            var world = servers[0].World;
            foreach (var row in SimFixtures.Responses(world, 3))
            {
                var task = world.TaskById(row.PromptId)!;
                var before = servers.Select(s => s.Service.Stats.Snapshot().Completions).ToList();
                await engine.GradeAsync(task.Prompt, row.Response, SimFixtures.RubricFor(task).Criteria);
                var delta = servers.Select((s, i) => s.Service.Stats.Snapshot().Completions - before[i]).ToList();
                // The key is the response's digest, computed here as the verdict cache computes it.
                var owner = ReplicaChoice.Owner(names, VerdictCacheKey.Of(task.Prompt, row.Response));
                long criteria = SimFixtures.RubricFor(task).Criteria.Length;
                Assert.Equal(criteria, delta[owner]);
                Assert.Equal(criteria, delta.Sum());
            }
        }
        finally
        {
            foreach (var s in servers) await s.DisposeAsync();
        }
    }

    private static async Task<List<(string Id, IReadOnlyDictionary<string, Verdict> Verdicts)>> GradeAll(JudgeEngine engine, SimWorld world,
        IReadOnlyList<Tailmark.Io.ResponseRow> rows)
    {
        var results = new List<(string, IReadOnlyDictionary<string, Verdict>)>();
        await Task.WhenAll(rows.Select(async row =>
        {
            var task = world.TaskById(row.PromptId)!;
            var r = await engine.GradeAsync(task.Prompt, row.Response, SimFixtures.RubricFor(task).Criteria);
            lock (results) results.Add(($"{row.PromptId}/{row.ResponseId}", r.Verdicts));
        }));
        return [.. results.OrderBy(r => r.Item1, StringComparer.Ordinal)];
    }

    private static string Flatten(List<(string Id, IReadOnlyDictionary<string, Verdict> Verdicts)> results) =>
        string.Join("\n", results.Select(r =>
            r.Id + ": " + string.Join(",", r.Verdicts.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value.Status}"))));

    private static EndpointSpec Spec(int concurrency) =>
        new("replicas", EndpointKind.Http, new Uri(Names[0]), "m", null, new EndpointLimits { Concurrency = concurrency }, PriceTable.Free);

    private static ChatOptions Keyed(string key) => new() { AdditionalProperties = new AdditionalPropertiesDictionary { [ChatOptionKeys.AffinityKey] = key } };

    /// <summary>
    /// Stand-ins for replica servers at the transport seam: each records which replica a call reached, in order, and
    /// holds it until released (or answers at once), or fails it as a refused connection does.
    /// </summary>
    private sealed class HeldReplicas : IDisposable
    {
        private readonly List<int> _arrivals = [];
        private readonly TaskCompletionSource _release = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public HeldReplicas(int count)
        {
            Urls = [.. Enumerable.Range(0, count).Select(i => new Uri(Names[i]))];
            Down = new bool[count];
            Clients = [.. Urls.Select((u, i) => (u, (IChatClient)new Held(this, i)))];
        }

        public IReadOnlyList<Uri> Urls { get; }
        public IReadOnlyList<(Uri, IChatClient)> Clients { get; }
        public bool[] Down { get; }
        public bool Immediate { get; init; }

        public List<int> Arrivals()
        {
            lock (_arrivals) return [.. _arrivals];
        }

        public void ReleaseAll() => _release.TrySetResult();

        public void Dispose() => ReleaseAll();

        private sealed class Held(HeldReplicas owner, int index) : IChatClient
        {
            public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
                CancellationToken cancellationToken = default)
            {
                lock (owner._arrivals) owner._arrivals.Add(index);
                if (owner.Down[index]) throw new HttpRequestException("Connection refused");
                if (!owner.Immediate) await owner._release.Task.WaitAsync(cancellationToken);
                // Our keys steer the router; none reaches a server.
                Assert.False(options?.AdditionalProperties?.ContainsKey(ChatOptionKeys.AffinityKey) ?? false);
                return new ChatResponse(new ChatMessage(ChatRole.Assistant, "ok"))
                    { Usage = new UsageDetails { InputTokenCount = 10, CachedInputTokenCount = 4 } };
            }

            public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
                CancellationToken cancellationToken = default) => throw new NotSupportedException();

            public object? GetService(Type serviceType, object? serviceKey = null) => null;

            public void Dispose() { }
        }
    }
}
