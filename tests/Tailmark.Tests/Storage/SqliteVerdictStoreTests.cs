using System.Globalization;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Time.Testing;
using Tailmark.Storage;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Storage;

/// <summary>The verdict-store contract on the embedded SQLite store, and what only a file can do.</summary>
public sealed class SqliteVerdictStoreTests : VerdictStoreContract, IDisposable
{
    private readonly TempDir _dir = new();

    protected override Task<StoreUnderTest> NewStoreAsync()
    {
        var path = _dir.File($"{Guid.NewGuid():N}.sqlite");
        return Task.FromResult(new StoreUnderTest(path, path, new Dictionary<string, string>()));
    }

    [Theory]
    [InlineData("UPDATE verdicts SET status = 'maybe'")]
    [InlineData("UPDATE verdicts SET p_yes = 'high'")]
    [InlineData("UPDATE verdicts SET level = 1e999")]
    public async Task ARowThatDoesNotHoldAVerdict_IsAMiss(string damage)
    {
        var path = _dir.File("damaged.sqlite");
        var key = VerdictCacheKey.Of("damaged");
        using (var store = VerdictStores.Open(path)) store.Put([new(key, new CachedVerdict(StoredStatus.Met, 1, 0.5, "r"))]);
        using (var connection = new SqliteConnection($"Data Source={path};Pooling=False"))
        {
            connection.Open();
            using var command = connection.CreateCommand();
            command.CommandText = damage;
            Assert.Equal(1, command.ExecuteNonQuery());
        }
        using var reopened = VerdictStores.Open(path);
        Same([null], await reopened.FindAsync([key]));
        // The next verdict stored under the key repairs the row.
        reopened.Put([new(key, new CachedVerdict(StoredStatus.NotMet, null, null, null))]);
        Same([new CachedVerdict(StoredStatus.NotMet, null, null, null)], await reopened.FindAsync([key]));
    }

    [Fact]
    public void OpenExisting_CreatesNoFile()
    {
        Assert.Null(VerdictStores.OpenExisting(_dir.File("absent.sqlite")));
        Assert.False(File.Exists(_dir.File("absent.sqlite")));
    }

    [Fact]
    public async Task Stamps_ComeFromTheGivenClock_AndPruneComparesThem()
    {
        // Seconds are what the file keeps, so the clock starts on a whole second.
        var start = new DateTimeOffset(2026, 3, 1, 12, 0, 0, TimeSpan.Zero);
        var clock = new FakeTimeProvider(start);
        using var store = new SqliteVerdictStore(_dir.File("clocked.sqlite"), clock);
        var keys = Enumerable.Range(0, 5).Select(i => VerdictCacheKey.Of("clocked", i.ToString(CultureInfo.InvariantCulture))).ToArray();
        store.Put([.. keys[..3].Select((k, i) => new KeyValuePair<string, CachedVerdict>(k, V(i)))]);
        clock.Advance(TimeSpan.FromDays(10));
        store.Put([.. keys[3..].Select((k, i) => new KeyValuePair<string, CachedVerdict>(k, V(3 + i)))]);
        var stats = await store.StatsAsync();
        Assert.Equal(start, stats.Oldest);
        Assert.Equal(start.AddDays(10), stats.Newest);
        // What `cache prune --older-than 5` removes at the clock's now: the three of day 0, not the two of day 10.
        Assert.Equal(3, await store.PruneAsync(clock.GetUtcNow().AddDays(-5)));
        Same([null, null, null, V(3), V(4)], await store.FindAsync(keys));
    }

    public void Dispose() => _dir.Dispose();
}
