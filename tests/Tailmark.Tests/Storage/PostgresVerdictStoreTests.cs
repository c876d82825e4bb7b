using Npgsql;
using Tailmark.Io;
using Tailmark.Judging;
using Tailmark.Scoring;
using Tailmark.Sim.Server;
using Tailmark.Sim;
using Tailmark.Storage;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Storage;

/// <summary>
/// The verdict-store contract on PostgreSQL (a server the tests start themselves, one database per test), and what
/// only a server can do: schema versions, logins, outages.
/// </summary>
[Trait("Tier", "Integration")]
[Collection(PostgresCollection.Name)]
public sealed class PostgresVerdictStoreTests(PostgresFixture fixture) : VerdictStoreContract
{
    private PostgresServer Server => fixture.Server;

    protected override async Task<StoreUnderTest> NewStoreAsync()
    {
        var database = await Server.CreateDatabaseAsync();
        // In process: Npgsql's connection string with the password; a CLI child: the URL, the password in TAILMARK_PG_PASSWORD.
        var inProcess = new NpgsqlConnectionStringBuilder(Server.ConnectionString(database)) { Pooling = true }.ConnectionString;
        return new StoreUnderTest(inProcess, Server.Url(database), new Dictionary<string, string> { ["TAILMARK_PG_PASSWORD"] = Server.Password });
    }

    private static string K(int i) => VerdictCacheKey.Of("pg", i.ToString(System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task Schema_IsCreatedOnFirstUse_Once_EvenByProcessesStartingTogether()
    {
        var s = await NewStoreAsync();
        var stores = await Task.WhenAll(Enumerable.Range(0, 6).Select(_ => Task.Run(() => VerdictStores.Open(s.Location))));
        foreach (var store in stores) store.Dispose();
        var database = new NpgsqlConnectionStringBuilder(s.Location).Database!;
        Assert.Equal(1L, await Server.ScalarAsync<long>(database, "SELECT count(*) FROM tailmark_schema"));
        Assert.Equal(PostgresSchemaVersion, await Server.ScalarAsync<int>(database, "SELECT version FROM tailmark_schema"));
        Assert.Equal(0L, await Server.ScalarAsync<long>(database, "SELECT count(*) FROM tailmark_verdicts"));
    }

    private const int PostgresSchemaVersion = 1;

    [Fact]
    public async Task Schema_NewerThanThisTailmark_IsRefusedWithAClearMessage()
    {
        var s = await NewStoreAsync();
        VerdictStores.Open(s.Location).Dispose();
        var database = new NpgsqlConnectionStringBuilder(s.Location).Database!;
        await Server.ExecuteAsync(database, "UPDATE tailmark_schema SET version = 99");
        var ex = Assert.Throws<InputException>(() => VerdictStores.Open(s.Location));
        var issue = Assert.Single(ex.Issues);
        Assert.Equal($"postgres://{PostgresServer.User}@127.0.0.1:{Server.Port}/{database}", issue.File);
        Assert.Contains("schema version 99, newer than this Tailmark reads (1)", issue.Message);
        Assert.DoesNotContain(Server.Password, ex.Message);
    }

    [Fact]
    public async Task OpenExisting_CreatesNoTables()
    {
        var s = await NewStoreAsync();
        Assert.Null(VerdictStores.OpenExisting(s.Location));
        var database = new NpgsqlConnectionStringBuilder(s.Location).Database!;
        Assert.False(await Server.ScalarAsync<bool>(database, "SELECT to_regclass('tailmark_schema') IS NOT NULL"));
    }

    [Fact]
    public async Task Logins_ThatFail_AreInputErrorsNamingTheStore_NeverThePassword()
    {
        var database = await Server.CreateDatabaseAsync();
        var shown = $"postgres://{PostgresServer.User}@127.0.0.1:{Server.Port}/{database}";
        const string wrong = "not-the-password-4711";

        var refused = Assert.Throws<InputException>(() => VerdictStores.Open($"postgres://{PostgresServer.User}:{wrong}@127.0.0.1:{Server.Port}/{database}"));
        Assert.Equal(shown, Assert.Single(refused.Issues).File);
        Assert.Contains("password authentication failed", refused.Message);
        Assert.Contains("TAILMARK_PG_PASSWORD", refused.Message);
        Assert.DoesNotContain(wrong, refused.Message);

        var missing = Assert.Throws<InputException>(() =>
            VerdictStores.Open(new NpgsqlConnectionStringBuilder(Server.ConnectionString("no_such_db")) { Pooling = true }.ConnectionString));
        Assert.Contains("\"no_such_db\" does not exist (create it first", missing.Message);
        Assert.DoesNotContain(Server.Password, missing.Message);

        var closed = LoopbackPort.Closed();
        var nobody = Assert.Throws<InputException>(() => VerdictStores.Open($"postgres://u@127.0.0.1:{closed}/d"));
        Assert.Equal($"postgres://u@127.0.0.1:{closed}/d", Assert.Single(nobody.Issues).File);
        Assert.Contains("the verdict store cannot be used:", nobody.Message);
    }

    [Fact]
    public async Task Cli_PasswordFromTheEnvironment_OrInTheUrl_NeverShownInItsOutput()
    {
        var s = await NewStoreAsync();
        using var dir = new TempDir();
        var database = new NpgsqlConnectionStringBuilder(s.Location).Database!;
        VerdictStores.Open(s.Location).Dispose();
        // PGPASSWORD (libpq's variable, read by Npgsql) works like TAILMARK_PG_PASSWORD.
        var viaLibpq = CliProcess.RunWith(null, new Dictionary<string, string> { ["PGPASSWORD"] = Server.Password }, "cache", "stats", "--cache",
            s.CliLocation);
        Assert.True(viaLibpq.ExitCode == 0, viaLibpq.All);
        Assert.Contains($"postgres://{PostgresServer.User}@127.0.0.1:{Server.Port}/{database}", viaLibpq.Stdout);
        // TAILMARK_PG_PASSWORD comes first.
        var both = CliProcess.RunWith(null, new Dictionary<string,
            string> { ["PGPASSWORD"] = "wrong-password-123", ["TAILMARK_PG_PASSWORD"] = Server.Password },
            "cache", "stats", "--cache", s.CliLocation);
        Assert.True(both.ExitCode == 0, both.All);
        // A password written into the URL works, is warned about, and is never printed.
        var inUrl = CliProcess.Run("cache", "stats", "--cache",
            s.CliLocation.Replace($"{PostgresServer.User}@", $"{PostgresServer.User}:{Server.Password}@", StringComparison.Ordinal));
        Assert.True(inUrl.ExitCode == 0, inUrl.All);
        Assert.Contains("visible in the process list", inUrl.Stderr);
        Assert.DoesNotContain(Server.Password, inUrl.All);
        var wrongInUrl = CliProcess.Run("cache", "stats", "--cache",
            s.CliLocation.Replace($"{PostgresServer.User}@", $"{PostgresServer.User}:wrong-password-123@", StringComparison.Ordinal));
        Assert.Equal(1, wrongInUrl.ExitCode);
        Assert.Contains($"postgres://{PostgresServer.User}@127.0.0.1:{Server.Port}/{database}: error: the verdict store cannot be used: password " +
            $"authentication failed", wrongInUrl.Stderr);
        Assert.DoesNotContain("wrong-password-123", wrongInUrl.All);
        var none = CliProcess.Run("cache", "stats", "--cache", s.CliLocation);
        Assert.Equal(1, none.ExitCode);
        Assert.Contains("TAILMARK_PG_PASSWORD", none.Stderr);
    }

    [Fact]
    public async Task Outage_Degrades_TheJudgeGoesOn_WritesWait_AndLandWhenTheServerReturns()
    {
        // A server of this test's own: it is stopped and started again.
        await using var server = await PostgresServer.StartAsync();
        await using var sim = await SimServer.StartAsync(new SimServerOptions { World = new SimOptions { Seed = 5, Tasks = 4 } });
        using var judge = SimFixtures.Judge(sim);
        var rubrics = sim.World.Tasks.ToDictionary(t => t.Id, SimFixtures.RubricFor);
        var rows = SimFixtures.Responses(sim.World, 3).ToList();
        var notices = new List<string>();
        await server.ExecuteAsync("postgres", "CREATE DATABASE outage");
        using var store = PostgresVerdictStore.Open(PostgresLocation.Parse(new NpgsqlConnectionStringBuilder(server.ConnectionString("outage"))
            { Pooling = true }.ConnectionString),
            notice: m => { lock (notices) notices.Add(m); })!;
        var reference = new JudgeEngine([judge], null, new JudgeOptions());

        async Task<List<VerdictStatus>> Grade(JudgeEngine engine, IEnumerable<Io.ResponseRow> which)
        {
            var statuses = new List<VerdictStatus>();
            foreach (var row in which)
            {
                var r = await engine.GradeAsync(sim.World.TaskById(row.PromptId)!.Prompt, row.Response, rubrics[row.PromptId].Criteria);
                statuses.AddRange(r.Verdicts.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => v.Value.Status));
            }
            return statuses;
        }

        var first = rows.Take(4).ToList();
        var during = rows.Skip(4).ToList();
        var cache = new VerdictCache(store);
        Assert.Equal(await Grade(reference, first), await Grade(new JudgeEngine([judge], cache, new JudgeOptions()), first));
        await store.FlushAsync();
        var stored = store.Health.Writes;

        await server.StopAsync();
        // Grading goes on: the same verdicts (judged afresh: a new front has nothing in memory), nothing thrown.
        var fresh = new VerdictCache(store);
        var requests = sim.Service.Stats.Snapshot().Requests;
        Assert.Equal(await Grade(reference, during), await Grade(new JudgeEngine([judge], fresh, new JudgeOptions()), during));
        Assert.Equal(await Grade(reference, first), await Grade(new JudgeEngine([judge], fresh, new JudgeOptions()), first));
        var duringVerdicts = during.Sum(r => rubrics[r.PromptId].Criteria.Length);
        var health = store.Health;
        Assert.False(health.Available);
        Assert.Equal(1, health.Outages);
        Assert.True(health.Failures > 0);
        // Everything judged during the outage waits: the first rows' verdicts are stored already, so only theirs repeat.
        var firstVerdicts = first.Sum(r => rubrics[r.PromptId].Criteria.Length);
        Assert.Equal(duringVerdicts + firstVerdicts, health.Pending);
        Assert.Equal(stored, health.Writes);
        Assert.Contains(notices, n => n.Contains("the verdict store is unreachable", StringComparison.Ordinal)
            && n.StartsWith("postgres://tailmark@127.0.0.1:", StringComparison.Ordinal));
        Assert.DoesNotContain(notices, n => n.Contains(server.Password, StringComparison.Ordinal));

        await server.StartAgainAsync();
        using (var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60))) await store.FlushAsync(wait.Token);
        health = store.Health;
        Assert.True(health.Available);
        Assert.Equal(0, health.Pending);
        Assert.Equal(0, health.Dropped);
        // Batched: what waited went in a few writes of up to 1,000, not one per verdict.
        Assert.InRange(health.Writes - stored, 1, 3);
        Assert.Contains(notices, n => n.Contains("reachable again", StringComparison.Ordinal));
        Assert.Equal(rows.Sum(r => rubrics[r.PromptId].Criteria.Length), await server.ScalarAsync<long>("outage", "SELECT count(*) FROM tailmark_verdicts"));
        // And lookups reach it again: a new front finds every verdict in one round trip per response.
        var reads = store.Health.Reads;
        var after = new VerdictCache(store);
        Assert.Equal(await Grade(reference, rows), await Grade(new JudgeEngine([judge], after, new JudgeOptions()), rows));
        Assert.Equal(0, after.Misses);
        Assert.Equal(rows.Count, store.Health.Reads - reads);
    }

    [Fact]
    public async Task Grade_WithTheStoreStoppedMidRun_FinishesWithTheSameOutput_AndSaysWhatWasNotStored()
    {
        await using var server = await PostgresServer.StartAsync();
        await server.ExecuteAsync("postgres", "CREATE DATABASE run");
        using var dir = new TempDir();
        var (rubrics, responses) = SimFixtures.WriteGradeInputs(dir, 8, 3);
        const int total = 8 * 3 * 11;
        string[] Grade(string output, string cache, params string[] extra) => VerdictStoreContract.Grade(rubrics, responses, output, cache, extra);
        Assert.Equal(0, CliProcess.Run(Grade(dir.File("clean.jsonl"), dir.File("clean.sqlite"))).ExitCode);

        var env = new Dictionary<string, string> { ["TAILMARK_PG_PASSWORD"] = server.Password };
        VerdictStores.Open(server.ConnectionString("run")).Dispose();
        using var process = CliProcess.Start(null, env,
            Grade(dir.File("out.jsonl"), server.Url("run"), "--sim-capacity", "slots=4,prefill_tps=100000,decode_tps=2000"));
        var output = process.StandardOutput.ReadToEndAsync();
        var errors = process.StandardError.ReadToEndAsync();
        long before = 0;
        var deadline = DateTime.UtcNow.AddSeconds(90);
        while (DateTime.UtcNow < deadline && before < 40 && !process.HasExited)
        {
            await Task.Delay(100);
            before = await server.ScalarAsync<long>("run", "SELECT count(*) FROM tailmark_verdicts");
        }
        Assert.False(process.HasExited, "the run finished before the store could be stopped");
        await server.StopAsync();
        using (var wait = new CancellationTokenSource(TimeSpan.FromMinutes(3))) await process.WaitForExitAsync(wait.Token);
        var said = await output + await errors;
        Assert.True(process.ExitCode == 0, said);
        Assert.Equal(File.ReadAllBytes(dir.File("clean.jsonl")), File.ReadAllBytes(dir.File("out.jsonl")));
        Assert.Contains("warning: postgres://tailmark@127.0.0.1:", said);
        Assert.Contains("the verdict store is unreachable", said);
        Assert.Contains("could not be written before closing (the store is unreachable); a rerun asks the judge for them again", said);

        // What was stored before the outage is reused; the rest is asked again.
        await server.StartAgainAsync();
        var kept = await server.ScalarAsync<long>("run", "SELECT count(*) FROM tailmark_verdicts");
        Assert.InRange(kept, before, total - 1);
        var rerun = CliProcess.RunWith(null, env, Grade(dir.File("again.jsonl"), server.Url("run")));
        Assert.True(rerun.ExitCode == 0, rerun.All);
        Assert.Equal(File.ReadAllBytes(dir.File("clean.jsonl")), File.ReadAllBytes(dir.File("again.jsonl")));
        Assert.Matches($@"judge calls\s*│\s*{total - kept}\s", rerun.Stdout);
    }
}
