using Tailmark.Tests.Support;

namespace Tailmark.Tests.Cli;

/// <summary>`grade --shard I/N` with every part on one shared PostgreSQL verdict store, the parts running at once.</summary>
[Collection(PostgresCollection.Name)]
[Trait("Tier", "Integration")]
public sealed class ShardOnPostgresTests(PostgresFixture fixture)
{
    [Fact]
    public async Task ShardAndMerge_ThreePartsAtOnce_OnOneSharedStore_EqualsOneRunByteForByte()
    {
        var server = fixture.Server;
        var database = await server.CreateDatabaseAsync();
        var env = new Dictionary<string, string> { ["TAILMARK_PG_PASSWORD"] = server.Password };
        using var dir = new TempDir();
        var job = ShardJob.Write(dir);
        var one = CliProcess.Run(job.Grade("one.jsonl", dir.File("one.sqlite"), "--summary", dir.File("one.json")));
        Assert.True(one.ExitCode == 0, one.All);

        var parts = Enumerable.Range(1, 3)
            .Select(i => Task.Run(() =>
                CliProcess.RunWith(null, env, job.Grade($"part{i}.jsonl", server.Url(database), "--shard", $"{i}/3", "--summary", dir.File($"part{i}.json")))))
            .ToList();
        foreach (var part in await Task.WhenAll(parts)) Assert.True(part.ExitCode == 0, part.All);

        var merge = CliProcess.Run("merge", job.Part(1), job.Part(2), job.Part(3), "--out", dir.File("merged.jsonl"), "--summary", dir.File("merged.json"));
        Assert.True(merge.ExitCode == 0, merge.All);
        Assert.Equal(File.ReadAllBytes(dir.File("one.jsonl")), File.ReadAllBytes(dir.File("merged.jsonl")));
        Assert.Equal(ShardJob.Outcome(dir.File("one.json")), ShardJob.Outcome(dir.File("merged.json")));
        // The shared store holds every verdict of the job once: 24 responses × 11 criteria.
        Assert.Equal(24 * 11, await server.ScalarAsync<long>(database, "SELECT count(*) FROM tailmark_verdicts"));
    }
}
