using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Tailmark.Cli.Hosting;
using Tailmark.Storage;

namespace Tailmark.Cli.Commands;

/// <summary><c>tailmark cache stats</c> and <c>tailmark cache prune</c> over the verdict store (SQLite or PostgreSQL).</summary>
internal static class CacheCommand
{
    public static Command Create()
    {
        var location = CacheOption.Create();
        var stats = new Command("stats", "Show what the verdict cache holds.") { location };
        stats.SetAction(async (parse, ct) =>
        {
            using var store = Existing(parse.GetValue(location)!, "no verdict cache here (grade creates one)");
            var s = await store.StatsAsync(ct);
            var table = new Table().Border(TableBorder.Rounded).AddColumns("measure", "value");
            table.AddRow("store", Markup.Escape(s.Location));
            table.AddRow("verdicts", s.Entries.ToString("#,0", CultureInfo.InvariantCulture));
            table.AddRow("met / not met", $"{s.Met:#,0} / {s.NotMet:#,0}");
            table.AddRow("size", $"{s.Bytes / 1024.0:#,0.0} KiB");
            table.AddRow("oldest", s.Oldest?.ToString("u", CultureInfo.InvariantCulture) ?? "-");
            table.AddRow("newest", s.Newest?.ToString("u", CultureInfo.InvariantCulture) ?? "-");
            CommandRunner.Out.Write(table);
            return CommandRunner.Ok;
        });
        var olderThan = new Option<double?>("--older-than-days") { Description = "Delete verdicts stored more than this many days ago." };
        var all = new Option<bool>("--all") { Description = "Delete every verdict." };
        var prune = new Command("prune", "Delete old verdicts from the cache.") { location, olderThan, all };
        prune.SetAction(async (parse, ct) =>
        {
            var days = parse.GetValue(olderThan);
            if (days is null == !parse.GetValue(all)) throw new UsageException("give exactly one of --older-than-days N or --all");
            if (days is < 0) throw new UsageException("--older-than-days must not be negative");
            using var store = Existing(parse.GetValue(location)!, "no verdict cache here");
            var removed = await store.PruneAsync(days is { } d ? CommandRunner.Time.GetUtcNow().AddDays(-d) : null, ct);
            Console.WriteLine($"removed {removed} verdict(s) from {store.Location}");
            return CommandRunner.Ok;
        });
        return new Command("cache", "Inspect and prune the verdict cache.") { stats, prune };
    }

    // The store as it is: stats and prune never create one (a file, or tables in a database).
    private static IVerdictStore Existing(string location, string none) =>
        VerdictStores.OpenExisting(location, m => Console.Error.WriteLine($"warning: {m}"))
        ?? throw new Io.InputException(VerdictStores.IsPostgres(location) ? PostgresLocation.Parse(location).Display : location, null, null, none);
}
