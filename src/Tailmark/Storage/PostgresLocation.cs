using System.Text.RegularExpressions;
using Npgsql;
using Tailmark.Io;

namespace Tailmark.Storage;

/// <summary>
/// Where a PostgreSQL verdict store is: a libpq URL (<c>postgres://user@host:port/db?sslmode=require</c>), Npgsql's
/// connection string (<c>Host=h;Database=d;Username=u</c>) or libpq's key/value form (<c>host=h dbname=d user=u</c>).
/// What the location leaves out comes from the environment as libpq would take it (PGHOST, PGPORT, PGDATABASE,
/// PGSSLMODE here; PGUSER, PGPASSWORD and the password file ~/.pgpass or PGPASSFILE through Npgsql), with
/// TAILMARK_PG_PASSWORD before PGPASSWORD. Only <see cref="Display"/> — never the password — is shown anywhere.
/// </summary>
public sealed partial class PostgresLocation
{
    private readonly string _connectionString;

    private PostgresLocation(string connectionString, string display, string? password, bool passwordInLocation)
    {
        _connectionString = connectionString;
        Display = display;
        Password = password;
        PasswordInLocation = passwordInLocation;
    }

    /// <summary>The location as messages show it: <c>postgres://user@host:port/db</c>, without any password.</summary>
    public string Display { get; }

    /// <summary>Whether the location itself carried a password (visible in a process list: worth a warning).</summary>
    public bool PasswordInLocation { get; }

    internal string? Password { get; }

    internal string ConnectionString => _connectionString;

    /// <summary>Whether LOCATION names a PostgreSQL store rather than a SQLite file.</summary>
    public static bool Matches(string location) =>
        location.StartsWith("postgres://", StringComparison.OrdinalIgnoreCase) || location.StartsWith("postgresql://", StringComparison.OrdinalIgnoreCase)
        || ConnectionStringStart().IsMatch(location);

    // A connection string starts with a keyword naming the server, the database or the user.
    [GeneratedRegex(@"^\s*(host|hostaddr|server|port|dbname|database|user|username|user ?id)\s*=", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex ConnectionStringStart();

    /// <param name="location">The URL or connection string.</param>
    /// <param name="environment">Reads an environment variable (tests pass their own).</param>
    /// <exception cref="InputException">A location that cannot be read, named "--cache" (it may hold a password, so it is not repeated).</exception>
    public static PostgresLocation Parse(string location, Func<string, string?>? environment = null)
    {
        environment ??= Environment.GetEnvironmentVariable;
        // What the environment and our defaults say first; everything the location says goes on top. The defaults:
        // fail fast when the server is not there (the store degrades instead of stalling every lookup), prepare the
        // two statements once per connection, and say who we are.
        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = environment("PGHOST") is { Length: > 0 } host ? host : "localhost",
            Timeout = 5,
            MaxAutoPrepare = 8,
            ApplicationName = "tailmark",
        };
        try
        {
            if (environment("PGPORT") is { Length: > 0 } port) builder.Port = Port(port);
            if (environment("PGDATABASE") is { Length: > 0 } db) builder.Database = db;
            if (environment("PGSSLMODE") is { Length: > 0 } ssl) Set(builder, "SSL Mode", Dashless(ssl));
            if (location.Contains("://", StringComparison.Ordinal)) ReadUrl(location, builder);
            else if (location.Contains(';', StringComparison.Ordinal)) ReadConnectionString(location, builder);
            else ReadKeyValues(location, builder);
        }
        catch (Exception ex) when (ex is ArgumentException or FormatException or InvalidCastException or OverflowException)
        {
            var message = ex.Message;
            if (builder.Password is { Length: > 0 } given) message = message.Replace(given, SecretRedactor.Mask, StringComparison.Ordinal);
            throw new InputException("--cache", null, null,
                $"not a PostgreSQL location Tailmark can read ({message}); expected postgres://USER@HOST:PORT/DATABASE or a connection string (docs/llm.md)");
        }
        var inLocation = !string.IsNullOrEmpty(builder.Password);
        if (!inLocation && environment("TAILMARK_PG_PASSWORD") is { Length: > 0 } password) builder.Password = password;
        var user = builder.Username ?? environment("PGUSER") ?? Environment.UserName;
        var hostShown = builder.Host!.Contains(',', StringComparison.Ordinal) ? builder.Host : $"{builder.Host}:{builder.Port}";
        var display = $"postgres://{Uri.EscapeDataString(user)}@{hostShown}/{Uri.EscapeDataString(builder.Database ?? user)}";
        return new PostgresLocation(builder.ConnectionString, display, builder.Password, inLocation);
    }

    // Npgsql's own form, laid over the defaults key by key (its keywords and their synonyms).
    private static void ReadConnectionString(string text, NpgsqlConnectionStringBuilder builder)
    {
        var given = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = text };
        foreach (string keyword in given.Keys) builder[keyword] = given[keyword];
    }

    /// <summary>TEXT with this location's password masked (for messages built from a server's or driver's words).</summary>
    public string Redact(string text) =>
        Password is { Length: >= 4 } secret ? text.Replace(secret, SecretRedactor.Mask, StringComparison.Ordinal) : text;

    // postgres://[user[:password]@][host[:port][,host[:port]...]][/database][?parameter=value&...]
    private static void ReadUrl(string url, NpgsqlConnectionStringBuilder builder)
    {
        var scheme = url.IndexOf("://", StringComparison.Ordinal);
        if (url[..scheme].ToLowerInvariant() is not ("postgres" or "postgresql")) throw new FormatException($"the scheme must be postgres:// or " +
            $"postgresql://, not {url[..scheme]}://");
        var rest = url[(scheme + 3)..];
        var query = "";
        if (rest.IndexOf('?', StringComparison.Ordinal) is var q and >= 0)
        {
            query = rest[(q + 1)..];
            rest = rest[..q];
        }
        if (rest.IndexOf('/', StringComparison.Ordinal) is var slash and >= 0)
        {
            if (Uri.UnescapeDataString(rest[(slash + 1)..]) is { Length: > 0 } database) builder.Database = database;
            rest = rest[..slash];
        }
        if (rest.LastIndexOf('@') is var at and >= 0)
        {
            var userInfo = rest[..at];
            rest = rest[(at + 1)..];
            var colon = userInfo.IndexOf(':', StringComparison.Ordinal);
            if (Uri.UnescapeDataString(colon < 0 ? userInfo : userInfo[..colon]) is { Length: > 0 } user) builder.Username = user;
            if (colon >= 0) builder.Password = Uri.UnescapeDataString(userInfo[(colon + 1)..]);
        }
        if (rest.Length > 0)
        {
            var hosts = rest.Split(',').Select(HostAndPort).ToList();
            if (hosts.Count == 1)
            {
                builder.Host = hosts[0].Host;
                if (hosts[0].Port is { } port) builder.Port = port;
            }
            else
            {
                builder.Host = string.Join(',', hosts.Select(h => h.Port is { } port ? $"{h.Host}:{port}" : h.Host));
            }
        }
        foreach (var pair in query.Split('&', StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new FormatException($"the URL parameter '{Uri.UnescapeDataString(pair)}' has no value");
            SetLibpq(builder, Uri.UnescapeDataString(pair[..eq]), Uri.UnescapeDataString(pair[(eq + 1)..]));
        }
    }

    private static (string Host, int? Port) HostAndPort(string text)
    {
        text = Uri.UnescapeDataString(text);
        // [::1]:5432, or host:port; a Unix-socket folder (/run/postgresql) has no port.
        if (text.StartsWith('[') && text.IndexOf(']', StringComparison.Ordinal) is var close and > 0)
        {
            return (text[1..close], text.Length > close + 2 && text[close + 1] == ':' ? Port(text[(close + 2)..]) : null);
        }
        var colon = text.LastIndexOf(':');
        return colon > 0 && !text.StartsWith('/') ? (text[..colon], Port(text[(colon + 1)..])) : (text, null);
    }

    private static int Port(string text) =>
        int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var p) && p is > 0 and < 65536
            ? p : throw new FormatException($"'{text}' is not a port");

    // host=h port=5432 dbname=d user=u (libpq's form; values without spaces or quotes)
    private static void ReadKeyValues(string text, NpgsqlConnectionStringBuilder builder)
    {
        foreach (var pair in text.Split([' ', '\t', '\n'], StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = pair.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new FormatException($"'{pair.Split('=')[0]}' is not a keyword=value pair");
            SetLibpq(builder, pair[..eq], pair[(eq + 1)..]);
        }
    }

    // libpq's parameter names, mapped onto Npgsql's keywords; any other name is tried as an Npgsql keyword.
    private static void SetLibpq(NpgsqlConnectionStringBuilder builder, string name, string value)
    {
        switch (name.ToLowerInvariant())
        {
            case "host" or "hostaddr": builder.Host = value; break;
            case "port": builder.Port = Port(value); break;
            case "dbname": builder.Database = value; break;
            case "user": builder.Username = value; break;
            case "password": builder.Password = value; break;
            case "sslmode": Set(builder, "SSL Mode", Dashless(value)); break;
            case "connect_timeout": Set(builder, "Timeout", value); break;
            case "application_name": builder.ApplicationName = value; break;
            case "options": builder.Options = value; break;
            case "target_session_attrs": Set(builder, "Target Session Attributes", value); break;
            case "sslrootcert": builder.RootCertificate = value; break;
            case "sslcert": builder.SslCertificate = value; break;
            case "sslkey": builder.SslKey = value; break;
            case "passfile": builder.Passfile = value; break;
            default: Set(builder, name, value); break;
        }
    }

    private static void Set(NpgsqlConnectionStringBuilder builder, string keyword, string value) => builder[keyword] = value;

    // libpq writes verify-full and prefer-standby; Npgsql's enumerations are VerifyFull and PreferStandby.
    private static string Dashless(string value) => value.Replace("-", "", StringComparison.Ordinal);
}
