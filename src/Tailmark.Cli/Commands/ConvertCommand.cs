using System.CommandLine;
using Tailmark.Cli;
using Tailmark.Io;
using Tailmark.Rubrics;

namespace Tailmark.Cli.Commands;

/// <summary><c>tailmark convert INPUT --from F --to F --out OUTPUT</c>: converts rubrics between formats.</summary>
internal static class ConvertCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "The rubric file to read (\"-\" for standard input)." };
        var from = FormatOption.Create("--from", "Format of the input.");
        var to = FormatOption.Create("--to", "Format of the output.");
        var output = new Option<string>("--out", "-o") { Description = "The file to write (.json gives one JSON array, else JSONL).", Required = true };
        var command = new Command("convert", "Convert rubrics between Tailmark's format, YAML, HealthBench, Chasing-the-Tail, RaR and plain lists.")
        {
            input, from, to, output,
        };
        command.SetAction(async (parse, ct) =>
        {
            var inPath = parse.GetValue(input)!;
            var outPath = parse.GetValue(output)!;
            var reader = FormatOption.Resolve(parse.GetValue(from), inPath);
            var writer = FormatOption.Resolve(parse.GetValue(to), outPath);
            var errors = 0;
            var count = 0;
            async IAsyncEnumerable<Rubric> Rows()
            {
                await foreach (var row in reader.ReadAsync(inPath, ct))
                {
                    foreach (var issue in row.Issues) Console.Error.WriteLine(issue);
                    if (row.HasErrors)
                    {
                        errors++;
                        continue;
                    }
                    count++;
                    yield return row.Rubric!;
                }
            }
            using var staged = StagedFile.For(outPath);
            var warnings = await writer.WriteAsync(Rows(), staged.Path, ct);
            foreach (var w in warnings.Distinct()) Console.Error.WriteLine($"warning: {w}");
            if (StagedOutput.Finish(staged, outPath, errors) is null) return CommandRunner.Failed;
            Console.Error.WriteLine($"converted {count} rubric(s) from {reader.Name} to {writer.Name}: {outPath}");
            return CommandRunner.Ok;
        });
        return command;
    }
}
