using Npgsql;
using Tailmark.Io;
using Tailmark.Storage;

namespace Tailmark.Tests.Storage;

/// <summary>How a PostgreSQL location is read: URL, Npgsql's and libpq's connection strings, the environment, what is shown.</summary>
public sealed class PostgresLocationTests
{
    private static Func<string, string?> Env(params (string Name, string Value)[] variables) =>
        name => variables.FirstOrDefault(v => v.Name == name).Value;

    private static NpgsqlConnectionStringBuilder Read(PostgresLocation location) =>
        new((string)typeof(PostgresLocation).GetProperty("ConnectionString",
            System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Instance)!.GetValue(location)!);

    [Theory]
    [InlineData("postgres://alice@db.example:6543/verdicts?sslmode=verify-full&application_name=rl", "db.example", 6543, "verdicts", "alice",
        "postgres://alice@db.example:6543/verdicts")]
    [InlineData("postgresql://alice:s3cr%40t@[::1]:5433/v", "::1", 5433, "v", "alice", "postgres://alice@::1:5433/v")]
    [InlineData("Host=db;Port=7000;Database=v;Username=bob;Password=pw-123456", "db", 7000, "v", "bob", "postgres://bob@db:7000/v")]
    [InlineData("host=db port=7001 dbname=v user=carol", "db", 7001, "v", "carol", "postgres://carol@db:7001/v")]
    [InlineData("postgres://dave@%2Frun%2Fpostgresql/v", "/run/postgresql", 5432, "v", "dave", "postgres://dave@/run/postgresql:5432/v")]
    public void Forms_AreReadIntoTheSameSettings(string text, string host, int port, string database, string user, string display)
    {
        Assert.True(PostgresLocation.Matches(text));
        var location = PostgresLocation.Parse(text, Env());
        var b = Read(location);
        Assert.Equal((host, port, database, user), (b.Host, b.Port, b.Database, b.Username));
        Assert.Equal(display, location.Display);
    }

    [Fact]
    public void UrlParameters_MapOntoNpgsql()
    {
        var b = Read(PostgresLocation.Parse("postgres://u@h/d?sslmode=verify-full&connect_timeout=9&target_session_attrs=read-write&Search%20Path=tm", Env()));
        Assert.Equal(SslMode.VerifyFull, b.SslMode);
        Assert.Equal(9, b.Timeout);
        Assert.Equal("tm", b.SearchPath);
    }

    [Fact]
    public void Environment_FillsWhatTheLocationLeavesOut_AndOurPasswordComesFirst()
    {
        var env = Env(("PGHOST", "envhost"), ("PGPORT", "6000"), ("PGDATABASE", "envdb"), ("PGSSLMODE", "require"), ("TAILMARK_PG_PASSWORD", "ours-123456"),
            ("PGUSER", "envuser"));
        var location = PostgresLocation.Parse("postgres://", env);
        var b = Read(location);
        Assert.Equal(("envhost", 6000, "envdb", SslMode.Require, "ours-123456"), (b.Host, b.Port, b.Database, b.SslMode, b.Password));
        Assert.Equal("postgres://envuser@envhost:6000/envdb", location.Display);
        Assert.False(location.PasswordInLocation);
        // What the location says wins over the environment, its password over TAILMARK_PG_PASSWORD.
        var given = PostgresLocation.Parse("postgres://u:given-pw@h:1/d", env);
        Assert.Equal(("h", 1, "d", "given-pw"), (Read(given).Host, Read(given).Port, Read(given).Database, Read(given).Password));
        Assert.True(given.PasswordInLocation);
        // Defaults: a short connect timeout, prepared statements, our name.
        Assert.Equal((5, 8, "tailmark"), (b.Timeout, b.MaxAutoPrepare, b.ApplicationName));
    }

    [Theory]
    [InlineData("postgres://u:hunter2-secret@h:notaport/d")]
    [InlineData("host=h password=hunter2-secret nonsense")]
    [InlineData("Host=h;Password=hunter2-secret;Frobnicate=1")]
    [InlineData("postgres://u:hunter2-secret@h/d?colour=blue")]
    public void Unreadable_IsAnInputErrorThatNeverRepeatsThePassword(string text)
    {
        var ex = Assert.Throws<InputException>(() => PostgresLocation.Parse(text, Env()));
        Assert.Equal("--cache", Assert.Single(ex.Issues).File);
        Assert.Contains("not a PostgreSQL location Tailmark can read", ex.Message);
        Assert.DoesNotContain("hunter2-secret", ex.Message);
    }

    [Theory]
    [InlineData(".tailmark/verdicts.sqlite")]
    [InlineData("/data/host=1/verdicts.sqlite")]
    [InlineData("verdicts.db")]
    public void FilePaths_AreNotPostgres(string path) => Assert.False(PostgresLocation.Matches(path));
}
