using Npgsql;
using Tailmark.Judging;
using Tailmark.Scoring;
using Tailmark.Sim;
using Tailmark.Storage;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Storage;

/// <summary>
/// Leases on a shared PostgreSQL store (<see cref="VerdictCache.ClaimAsync"/>): two caches on one database stand for two
/// reward-server replicas. The same response graded by both at once is judged once with leases and twice without; a
/// holder that dies lets its lease expire, and the waiter then judges itself.
/// </summary>
[Collection(PostgresCollection.Name)]
[Trait("Tier", "Integration")]
public sealed class VerdictLeaseTests(PostgresFixture fixture)
{
    private static readonly SimWorld World = new(5, 2);

    private async Task<string> NewDatabaseAsync()
    {
        var database = await fixture.Server.CreateDatabaseAsync();
        return new NpgsqlConnectionStringBuilder(fixture.Server.ConnectionString(database)) { Pooling = true }.ConnectionString;
    }

    /// <summary>Replica A starts judging a response (its judge held at a gate); B is given the same response meanwhile. Judge calls over both.</summary>
    private static async Task<(JudgeResult A, JudgeResult B, int Calls, VerdictLeaseStats BLeases)> SameResponseOnTwoReplicas(string location,
        TimeSpan leaseHold)
    {
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = 0;
        var judge = new InMemoryJudge(World)
        {
            Before = async (_, ct) =>
            {
                Interlocked.Increment(ref calls);
                await gate.Task.WaitAsync(ct);
            },
        };
        using var a = new VerdictCache(VerdictStores.Open(location)) { LeaseHold = leaseHold };
        using var b = new VerdictCache(VerdictStores.Open(location)) { LeaseHold = leaseHold };
        var task = World.Tasks[0];
        var criteria = SimFixtures.RubricFor(task).Criteria.Where(c => !c.IsVerifiable).ToList();
        var response = SimFixtures.Responses(World, 1).First(r => r.PromptId == task.Id).Response;
        var onA = new JudgeEngine([judge.Client()], a, new JudgeOptions()).GradeAsync(task.Prompt, response, criteria);
        while (judge.InFlight == 0) await Task.Delay(10);
        var onB = new JudgeEngine([judge.Client()], b, new JudgeOptions()).GradeAsync(task.Prompt, response, criteria);
        // B is either waiting on A's lease, or (without leases) asking the judge itself: one call more than A's in flight
        // (B looks its verdicts up once, before its first call, while A's are all held at the gate).
        while (b.Leases.Waited == 0 && judge.InFlight <= criteria.Count) await Task.Delay(10);
        gate.SetResult();
        return (await onA, await onB, calls, b.Leases);
    }

    [Fact]
    public async Task TheSameResponseOnTwoReplicasAtOnce_IsJudgedOnce_WithLeases_AndTwice_Without()
    {
        var criteria = SimFixtures.RubricFor(World.Tasks[0]).Criteria.Count(c => !c.IsVerifiable);

        var leased = await SameResponseOnTwoReplicas(await NewDatabaseAsync(), TimeSpan.FromSeconds(5));
        Assert.Equal(criteria, leased.Calls);              // per-criterion mode: one call per judged criterion, all by A
        Assert.Equal(criteria, leased.A.Calls);
        Assert.Equal(0, leased.B.Calls);
        Assert.Equal(criteria, leased.B.CacheHits);
        Assert.Equal(new VerdictLeaseStats(0, 1, criteria, 0, 0), leased.BLeases);
        Assert.Equal(Statuses(leased.A), Statuses(leased.B));

        var unleased = await SameResponseOnTwoReplicas(await NewDatabaseAsync(), TimeSpan.Zero);
        Assert.Equal(2 * criteria, unleased.Calls);
        Assert.Equal(criteria, unleased.B.Calls);
        Assert.Equal(new VerdictLeaseStats(0, 0, 0, 0, 0), unleased.BLeases);
        Assert.Equal(Statuses(leased.A), Statuses(unleased.B));
    }

    [Fact]
    public async Task AHolderThatDies_LetsItsLeaseExpire_AndTheWaiterJudgesItself()
    {
        var location = await NewDatabaseAsync();
        var hold = TimeSpan.FromSeconds(3);
        var key = VerdictCacheKey.Of("lease", "test");
        var lookups = new[] { Lookup("1"), Lookup("2") };
        var holder = new VerdictCache(VerdictStores.Open(location)) { LeaseHold = hold };
        Assert.True((await holder.ClaimAsync(key, lookups)).Held);
        // Alive, the holder renews: a waiter bounded by three holds gives up rather than take it.
        using var waiter = new VerdictCache(VerdictStores.Open(location)) { LeaseHold = hold };
        var bounded = await waiter.ClaimAsync(key, lookups);
        Assert.False(bounded.Held);
        Assert.Equal(new VerdictLeaseStats(0, 1, 0, 1, 0), waiter.Leases);
        // Killed (closed without releasing, so no renewal): the lease lapses and the waiter takes it, judging what is missing.
        holder.Dispose();
        var after = await waiter.ClaimAsync(key, lookups);
        Assert.True(after.Held);
        Assert.All(after.Found, Assert.Null);
        waiter.Release(key);
        await waiter.Store.FlushAsync();
        var database = new NpgsqlConnectionStringBuilder(location).Database!;
        await WaitForAsync(async () => await fixture.Server.ScalarAsync<long>(database, "SELECT count(*) FROM tailmark_leases") == 0);
    }

    [Fact]
    public async Task AHoldShorterThanTheDefault_IsRenewedFromTheFirstLease()
    {
        // The store's renewal loop starts before any lease says how long a hold is; it must renew on the hold it is
        // given (every third of it), not sleep a third of the 10 s default first and let a short lease lapse.
        var location = await NewDatabaseAsync();
        var hold = TimeSpan.FromSeconds(2);
        using var holder = new VerdictCache(VerdictStores.Open(location)) { LeaseHold = hold };
        Assert.True((await holder.ClaimAsync(VerdictCacheKey.Of("lease", "short"), [Lookup("s")])).Held);
        // Past the hold (renewed every 0.67 s, so only a stall of over 1.3 s could let it lapse), and short of the 3.33 s
        // at which a loop sleeping on a third of the 10 s default would first renew.
        await Task.Delay(hold * 1.5);
        var database = new NpgsqlConnectionStringBuilder(location).Database!;
        Assert.True(await fixture.Server.ScalarAsync<bool>(database, "SELECT bool_and(expires_at > now()) FROM tailmark_leases"));
        using var other = new VerdictCache(VerdictStores.Open(location)) { LeaseHold = hold };
        Assert.Equal(LeaseTake.HeldElsewhere, await ((IVerdictLeases)other.Store).TryTakeAsync(VerdictCacheKey.Of("lease", "short"), hold, [Lookup("s").Key]));
    }

    [Fact]
    public async Task AReleasedLease_IsDeletedOnlyAfterTheVerdictsJudgedUnderIt_AndAWaiterFindsThem()
    {
        var location = await NewDatabaseAsync();
        var key = VerdictCacheKey.Of("lease", "released");
        var lookups = new[] { Lookup("a"), Lookup("b") };
        using var holder = new VerdictCache(VerdictStores.Open(location)) { LeaseHold = TimeSpan.FromSeconds(30) };
        using var waiter = new VerdictCache(VerdictStores.Open(location)) { LeaseHold = TimeSpan.FromSeconds(30) };
        Assert.True((await holder.ClaimAsync(key, lookups)).Held);
        var waiting = waiter.ClaimAsync(key, lookups).AsTask();
        while (waiter.Leases.Waited == 0) await Task.Delay(10);
        var met = new CachedVerdict(StoredStatus.Met, null, null, "judged by the holder");
        var notMet = new CachedVerdict(StoredStatus.NotMet, null, null, "also");
        holder.Put([(lookups[0], met), (lookups[1], notMet)]);
        holder.Release(key);
        var claim = await waiting;
        Assert.Equal<CachedVerdict?>([met, notMet], claim.Found.AsEnumerable());
        Assert.Equal(2, waiter.Leases.Served);
        Assert.Equal(0, waiter.Leases.Expired);
        if (claim.Held) waiter.Release(key);
    }

    private static readonly object Scope = new();

    private static VerdictLookup Lookup(string name) => new(new WarmKey(Scope, "digest", name, 0), VerdictCacheKey.Of("verdict", name));

    private static async Task WaitForAsync(Func<Task<bool>> condition)
    {
        for (var i = 0; i < 200 && !await condition(); i++) await Task.Delay(50);
        Assert.True(await condition());
    }

    private static IEnumerable<(string, VerdictStatus)> Statuses(JudgeResult r) =>
        r.Verdicts.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => (v.Key, v.Value.Status));
}
