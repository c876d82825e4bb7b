using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Tailmark.Storage;

namespace Tailmark.Cli.Commands;

/// <summary><c>tailmark cache stats</c> and <c>tailmark cache prune</c> over the verdict cache.</summary>
internal static class CacheCommand
{
    public static Command Create()
    {
        var path = new Option<string>("--cache") { Description = "Verdict cache (SQLite file).", DefaultValueFactory = _ => Path.Combine(".tailmark", "verdicts.sqlite") };
        var stats = new Command("stats", "Show what the verdict cache holds.") { path };
        stats.SetAction(parse =>
        {
            var file = parse.GetValue(path)!;
            if (!File.Exists(file)) throw new Io.InputException(file, null, null, "no verdict cache here (grade creates one)");
            using var cache = new VerdictCache(file);
            var s = cache.Stats();
            var table = new Table().Border(TableBorder.Rounded).AddColumns("measure", "value");
            table.AddRow("file", Markup.Escape(s.Path));
            table.AddRow("verdicts", s.Entries.ToString("#,0", CultureInfo.InvariantCulture));
            table.AddRow("met / not met", $"{s.Met:#,0} / {s.NotMet:#,0}");
            table.AddRow("size", $"{s.FileBytes / 1024.0:#,0.0} KiB");
            table.AddRow("oldest", s.Oldest?.ToString("u", CultureInfo.InvariantCulture) ?? "-");
            table.AddRow("newest", s.Newest?.ToString("u", CultureInfo.InvariantCulture) ?? "-");
            CommandRunner.Out.Write(table);
            return CommandRunner.Ok;
        });
        var olderThan = new Option<double?>("--older-than-days") { Description = "Delete verdicts stored more than this many days ago." };
        var all = new Option<bool>("--all") { Description = "Delete every verdict." };
        var prune = new Command("prune", "Delete old verdicts from the cache.") { path, olderThan, all };
        prune.SetAction(parse =>
        {
            var days = parse.GetValue(olderThan);
            if (days is null == !parse.GetValue(all)) throw new UsageException("give exactly one of --older-than-days N or --all");
            if (days is < 0) throw new UsageException("--older-than-days must not be negative");
            var file = parse.GetValue(path)!;
            if (!File.Exists(file)) throw new Io.InputException(file, null, null, "no verdict cache here");
            using var cache = new VerdictCache(file);
            var removed = cache.Prune(days is { } d ? DateTimeOffset.UtcNow.AddDays(-d) : null);
            Console.WriteLine($"removed {removed} verdict(s) from {file}");
            return CommandRunner.Ok;
        });
        return new Command("cache", "Inspect and prune the verdict cache.") { stats, prune };
    }
}
