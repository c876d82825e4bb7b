using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Tailmark.Rubrics;

namespace Tailmark.Cli.Commands;

/// <summary><c>tailmark stats FILE...</c>: counts, criteria per rubric, weight sums and the category mix, as a table.</summary>
internal static class StatsCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "Rubric files.", Arity = ArgumentArity.OneOrMore };
        var format = FormatOption.Create("--format", "Format of the files.");
        var command = new Command("stats", "Summarize rubric files: counts, criteria per rubric, weights, categories and kinds.")
        {
            files, format,
        };
        command.SetAction(async (parse, ct) =>
        {
            var table = new Table().Border(TableBorder.Rounded).AddColumns(
                "file", "rubrics", "criteria", "per rubric (min/mean/max)", "positive weight", "negative weight",
                "categories", "levels", "kinds");
            var anyError = false;
            foreach (var path in parse.GetValue(files)!)
            {
                var fmt = FormatOption.Resolve(parse.GetValue(format), path);
                var s = new RubricStats();
                await foreach (var row in fmt.ReadAsync(path, ct))
                {
                    if (row.HasErrors)
                    {
                        anyError = true;
                        CommandRunner.PrintIssues(row.Issues.Where(i => i.IsError));
                        continue;
                    }
                    s.Add(row.Rubric!);
                }
                table.AddRow(
                    Markup.Escape(Path.GetFileName(path)), N(s.Rubrics), N(s.Criteria),
                    s.Rubrics == 0 ? "-" : $"{s.MinCriteria}/{((double)s.Criteria / s.Rubrics).ToString("0.0", CultureInfo.InvariantCulture)}/{s.MaxCriteria}",
                    s.PositiveWeight.ToString("0.##", CultureInfo.InvariantCulture),
                    s.NegativeWeight.ToString("0.##", CultureInfo.InvariantCulture),
                    Markup.Escape(Mix(s.Categories)), Markup.Escape(Mix(s.Levels)), Markup.Escape(Mix(s.Kinds)));
            }
            CommandRunner.Out.Write(table);
            return anyError ? CommandRunner.Failed : CommandRunner.Ok;
        });
        return command;
    }

    private static string N(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Mix(SortedDictionary<string, int> counts) =>
        counts.Count == 0 ? "-" : string.Join(", ", counts.Select(kv => $"{kv.Key} {kv.Value}"));
}
