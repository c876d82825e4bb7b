using Npgsql;
using Tailmark.Io;

namespace Tailmark.Storage;

/// <summary>
/// The PostgreSQL store's tables, created on first use and versioned: <c>tailmark_schema</c> holds one row with the
/// version of the tables beside it, so a later Tailmark can migrate them and an older one refuses tables it does not
/// know. Creation runs under a transaction-scoped advisory lock, so replicas starting together create them once.
/// </summary>
internal static class PostgresSchema
{
    /// <summary>The version of the tables this Tailmark writes and reads.</summary>
    public const int Version = 1;

    // 'tailmark' in ASCII: the advisory lock that serialises schema creation among Tailmark processes.
    private const long CreationLock = 0x7461696C6D61726B;

    /// <summary>
    /// Makes sure the tables are there (CREATE: creating them if not) and of a version this Tailmark reads. False
    /// when they are not there and CREATE is false.
    /// </summary>
    /// <exception cref="InputException">The tables are of a newer version.</exception>
    public static bool Prepare(NpgsqlConnection connection, bool create, string location)
    {
        if (!create)
        {
            using var exists = new NpgsqlCommand("SELECT to_regclass('tailmark_schema') IS NOT NULL AND to_regclass('tailmark_verdicts') IS NOT NULL",
                connection);
            if (exists.ExecuteScalar() is not true) return false;
            Check(ReadVersion(connection), location);
            return true;
        }
        using var transaction = connection.BeginTransaction();
        Execute(connection, $"SELECT pg_advisory_xact_lock({CreationLock})");
        Execute(connection, """
            CREATE TABLE IF NOT EXISTS tailmark_schema (
              one boolean PRIMARY KEY DEFAULT true CHECK (one),
              version integer NOT NULL,
              updated_at timestamptz NOT NULL DEFAULT now()
            )
            """);
        var version = ReadVersion(connection);
        if (version is null)
        {
            // Version 1. The key is the SHA-256 of the verdict's inputs (32 bytes, half the size of its hex text in
            // the index); numbers are finite or absent, as the contract says, so a row always reads back as a verdict.
            Execute(connection, """
                CREATE TABLE IF NOT EXISTS tailmark_verdicts (
                  key bytea PRIMARY KEY CHECK (octet_length(key) = 32),
                  status text NOT NULL CHECK (status IN ('met', 'not_met')),
                  level double precision CHECK (level > '-Infinity' AND level < 'Infinity'),
                  p_yes double precision CHECK (p_yes > '-Infinity' AND p_yes < 'Infinity'),
                  reason text,
                  created_at timestamptz NOT NULL DEFAULT now()
                )
                """);
            Execute(connection, "CREATE INDEX IF NOT EXISTS tailmark_verdicts_created_at ON tailmark_verdicts (created_at)");
            Execute(connection, $"INSERT INTO tailmark_schema (version) VALUES ({Version})");
        }
        else
        {
            Check(version, location);
        }
        // Added beside version 1 (older Tailmarks ignore it): who is judging which response now (IVerdictLeases).
        // Unlogged: leases live seconds, a crash that empties the table only costs a few duplicate judge calls.
        Execute(connection, """
            CREATE UNLOGGED TABLE IF NOT EXISTS tailmark_leases (
              key bytea PRIMARY KEY,
              holder uuid NOT NULL,
              expires_at timestamptz NOT NULL
            )
            """);
        transaction.Commit();
        return true;
    }

    private static int? ReadVersion(NpgsqlConnection connection)
    {
        using var cmd = new NpgsqlCommand("SELECT version FROM tailmark_schema", connection);
        return cmd.ExecuteScalar() is int v ? v : null;
    }

    private static void Check(int? version, string location)
    {
        if (version > Version)
        {
            throw new InputException(location, null, null,
                $"the verdict store's tables are of schema version {version}, newer than this Tailmark reads ({Version}): upgrade Tailmark, "
                + "or give --cache another database (or another schema through search_path)");
        }
    }

    private static void Execute(NpgsqlConnection connection, string sql)
    {
        using var cmd = new NpgsqlCommand(sql, connection);
        cmd.ExecuteNonQuery();
    }
}
