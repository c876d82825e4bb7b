using System.CommandLine;
using Spectre.Console;
using Tailmark.Checks;
using Tailmark.Io;

namespace Tailmark.Cli.Commands;

/// <summary>
/// <c>tailmark validate FILE...</c>: reports every problem of every rubric with file, line and field.
/// Streams, so a file of any size validates in bounded memory. Exit 0 clean, 1 on any error, 2 bad usage.
/// </summary>
internal static class ValidateCommand
{
    public static Command Create()
    {
        var files = new Argument<string[]>("files") { Description = "Rubric files to check.", Arity = ArgumentArity.ZeroOrMore };
        var format = FormatOption.Create("--format", "Format of the files.");
        var listChecks = new Option<bool>("--list-checks") { Description = "List the check types a verifiable criterion may use, and exit." };
        var quiet = new Option<bool>("--quiet", "-q") { Description = "Print errors only, not warnings." };
        var command = new Command("validate", "Check rubric files and report every problem with its file, line and field.")
        {
            files, format, listChecks, quiet,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(listChecks))
            {
                foreach (var name in CheckCatalog.All) Console.WriteLine(name);
                return CommandRunner.Ok;
            }
            var paths = parse.GetValue(files) ?? [];
            if (paths.Length == 0) throw new UsageException("name at least one file to validate");
            var anyError = false;
            foreach (var path in paths)
            {
                anyError |= await ValidateFileAsync(path, parse.GetValue(format), parse.GetValue(quiet), ct);
            }
            return anyError ? CommandRunner.Failed : CommandRunner.Ok;
        });
        return command;
    }

    private static async Task<bool> ValidateFileAsync(string path, string? formatName, bool quiet, CancellationToken ct)
    {
        var format = FormatOption.Resolve(formatName, path);
        int rubrics = 0, errors = 0, warnings = 0;
        var ids = new Dictionary<string, int?>(StringComparer.Ordinal);
        try
        {
            await foreach (var row in format.ReadAsync(path, ct))
            {
                if (row.Rubric is not null) rubrics++;
                foreach (var issue in row.Issues)
                {
                    if (issue.IsError) errors++;
                    else warnings++;
                    if (issue.IsError || !quiet) Console.WriteLine(issue);
                }
                if (row.Rubric is { Id.Length: > 0 } r && !ids.TryAdd(r.Id, row.Line))
                {
                    errors++;
                    var first = ids[r.Id] is { } l ? $" (first on line {l})" : "";
                    Console.WriteLine(new InputIssue(IssueSeverity.Error, path, row.Line, "rubric_id", $"duplicate rubric id \"{r.Id}\"{first}"));
                }
            }
        }
        catch (InputException ex)
        {
            foreach (var issue in ex.Issues) Console.WriteLine(issue);
            errors += ex.Issues.Count;
        }
        var verdict = errors > 0 ? "[red]invalid[/]" : "[green]ok[/]";
        CommandRunner.Out.MarkupLine($"{Markup.Escape(path)}: {verdict} ({format.Name}): {rubrics} rubric(s), {errors} error(s), {warnings} warning(s)");
        return errors > 0;
    }
}
