namespace Tailmark.Storage;

/// <summary>Opens the verdict store a location names: a PostgreSQL URL or connection string, else a SQLite file path.</summary>
public static class VerdictStores
{
    /// <summary>The store at LOCATION, created if it is not there yet.</summary>
    /// <param name="location">A SQLite file path, or a PostgreSQL URL or connection string.</param>
    /// <param name="notice">Receives warnings (a PostgreSQL outage and its end, a password written in the location).</param>
    /// <exception cref="Io.InputException">The store cannot serve (see <see cref="IVerdictStore"/>).</exception>
    public static IVerdictStore Open(string location, Action<string>? notice = null) => OpenCore(location, create: true, notice)!;

    /// <summary>The store at LOCATION if there is one (a file; tables in the database), else null — for commands that must not create one.</summary>
    public static IVerdictStore? OpenExisting(string location, Action<string>? notice = null) => OpenCore(location, create: false, notice);

    public static bool IsPostgres(string location) => PostgresLocation.Matches(location);

    private static IVerdictStore? OpenCore(string location, bool create, Action<string>? notice)
    {
        if (!PostgresLocation.Matches(location)) return create || File.Exists(location) ? new SqliteVerdictStore(location) : null;
        var where = PostgresLocation.Parse(location);
        if (where.PasswordInLocation)
        {
            notice?.Invoke($"{where.Display}: a password written into the store's location is visible in the process list; prefer TAILMARK_PG_PASSWORD, " +
                $"PGPASSWORD or ~/.pgpass");
        }
        return PostgresVerdictStore.Open(where, create, notice);
    }
}
