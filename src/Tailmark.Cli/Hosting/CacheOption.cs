using System.CommandLine;
using Tailmark.Storage;

namespace Tailmark.Cli.Hosting;

/// <summary>
/// <c>--cache</c>, as every command that grades takes it: a SQLite file (the default, <c>.tailmark/verdicts.sqlite</c>)
/// or a PostgreSQL store shared by several processes (docs/llm.md). Store warnings (an outage and its end) go to
/// standard error.
/// </summary>
internal static class CacheOption
{
    public static readonly string DefaultPath = Path.Combine(".tailmark", "verdicts.sqlite");

    public static Option<string> Create() => new("--cache")
    {
        Description = "Verdict cache: a SQLite file, or a PostgreSQL store (postgres://USER@HOST:PORT/DATABASE or a connection string; "
            + "the password from TAILMARK_PG_PASSWORD, PGPASSWORD or ~/.pgpass).",
        DefaultValueFactory = _ => DefaultPath,
    };

    /// <summary>The cache at LOCATION, created if it is not there.</summary>
    public static VerdictCache Open(string location, TimeSpan? leaseHold = null) =>
        new(VerdictStores.Open(location, Warn)) { LeaseHold = leaseHold ?? VerdictCache.DefaultLeaseHold };

    /// <summary>The cache at LOCATION if there is one (null otherwise): for commands that must not create one.</summary>
    public static VerdictCache? OpenExisting(string location) => VerdictStores.OpenExisting(location, Warn) is { } store ? new VerdictCache(store) : null;

    private static void Warn(string message) => Console.Error.WriteLine($"warning: {message}");
}
