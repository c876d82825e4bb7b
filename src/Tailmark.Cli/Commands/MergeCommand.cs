using System.CommandLine;
using System.Text.Json;
using Tailmark.Grading.Sharding;
using Spectre.Console;
using Tailmark.Io;

namespace Tailmark.Cli.Commands;

/// <summary>
/// <c>tailmark merge PART... --out OUT [--summary FILE]</c>: joins the graded rows of the parts of a sharded
/// <c>grade --shard I/N</c> job into the bytes one <c>grade</c> of the whole input writes. Refuses (exit 1, output left
/// as it was) a part missing or given twice, parts of different inputs or settings, and rows their manifest does not vouch for.
/// </summary>
internal static class MergeCommand
{
    public static Command Create()
    {
        var parts = new Argument<string[]>("parts")
            { Description = "The parts' graded rows (each with its OUT.shard.json beside it), in any order.", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out", "-o") { Description = "Graded JSONL to write: the rows of all parts in input order.", Required = true };
        var summary = new Option<string?>("--summary")
            { Description = "Also write the job's summary as JSON (as `grade --summary`: statistics from the merged rows, usage summed over the parts, the " +
                "longest part's wall time)." };
        var command = new Command("merge", "Join the parts of a sharded grading job (`grade --shard I/N`) into the output one machine would have written.")
        {
            parts, output, summary,
        };
        command.SetAction(async (parse, ct) =>
        {
            var outPath = parse.GetValue(output)!;
            if (outPath == "-") throw new UsageException("merge writes a file; give --out a path, not standard output");
            var checkedParts = await ShardMerge.CheckAsync(parse.GetValue(parts)!, ct);
            var full = Path.GetFullPath(outPath);
            if (checkedParts.Any(p =>
                Path.GetFullPath(p.Path) == full)) throw new UsageException($"--out {outPath} is one of the parts; write the merged rows elsewhere");
            var rewards = new List<double?>();
            using var staged = StagedFile.For(outPath);
            var written = await ShardMerge.WriteAsync(checkedParts, staged.Path, row => rewards.Add(RewardOf(row)), ct);
            staged.Commit();
            var manifest = checkedParts[0].Manifest;
            var run = GradeSummary.Merge([.. checkedParts.Select(p => p.Manifest.Summary)], rewards, manifest.ClipRunMean, outPath);
            if (parse.GetValue(summary) is { } summaryPath) await run.WriteJsonAsync(summaryPath, ct);
            CommandRunner.Out.WriteLine($"merged {checkedParts.Count} parts ({written:#,0} rows) into {outPath}");
            return CommandRunner.Ok;
        });
        return command;
    }

    private static double? RewardOf(string row)
    {
        using var doc = JsonDocument.Parse(row);
        return doc.RootElement.TryGetProperty("reward", out var reward) && reward.ValueKind == JsonValueKind.Number ? reward.GetDouble() : null;
    }
}
