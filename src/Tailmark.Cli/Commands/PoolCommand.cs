using System.CommandLine;
using Tailmark.Building;
using Tailmark.Io;

namespace Tailmark.Cli.Commands;

/// <summary><c>tailmark pool import INPUT --from ctt|healthbench --out POOL</c>.</summary>
internal static class PoolCommand
{
    public static Command Create()
    {
        var input = new Argument<string>("input") { Description = "A Chasing-the-Tail pool file, or HealthBench examples." };
        var from = new Option<string>("--from") { Description = "ctt or healthbench (reference answers in ideal_completions_data).", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Response rows to write.", Required = true };
        var import = new Command("import", "Import a candidate pool from another format into response rows.") { input, from, output };
        import.SetAction(async (parse, ct) =>
        {
            var rows = parse.GetValue(from) switch
            {
                "ctt" => await PoolImport.FromCttAsync(parse.GetValue(input)!, ct),
                "healthbench" => await PoolImport.FromHealthBenchAsync(parse.GetValue(input)!, ct),
                var f => throw new UsageException($"--from must be ctt or healthbench, not '{f}'"),
            };
            var count = await JsonRowSink.WriteAsync(rows, parse.GetValue(output)!, (w, r) => r.Write(w), ct);
            Console.Error.WriteLine($"imported {count} response(s) for {rows.Select(r => r.PromptId).Distinct().Count()} prompt(s): {parse.GetValue(output)}");
            return CommandRunner.Ok;
        });
        return new Command("pool", "Candidate pools.") { import };
    }
}
