using System.CommandLine;

namespace Tailmark.Cli.Commands;

/// <summary>
/// <c>tailmark demo [--out DIR]</c>: the whole system on the simulated world with no configuration — sample a pool,
/// propose and refine rubrics, grade, serve rewards through a real reward server, and measure tail accuracy and
/// best-of-n — printing what it did and where the files are.
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out", "-o") { Description = "Folder for everything the demo writes.", DefaultValueFactory = _ => Path.Combine("out", "demo") };
        var tasks = new Option<int>("--tasks") { Description = "Prompts in the simulated world.", DefaultValueFactory = _ => 16 };
        var seed = new Option<int>("--seed") { Description = "World seed.", DefaultValueFactory = _ => 7 };
        var command = new Command("demo", "Run the whole walk on the simulated world, with no configuration: pool, rubrics, refinement, grading, serving, tail accuracy, best-of-n.")
        {
            output, tasks, seed,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(tasks) < 4) throw new UsageException("--tasks must be at least 4");
            await using var walk = new DemoWalk(parse.GetValue(output)!, parse.GetValue(tasks), parse.GetValue(seed));
            await walk.StartWorldAsync(ct);
            await walk.SamplePoolAsync(ct);
            await walk.ProposeAsync(ct);
            await walk.RefineAsync(ct);
            await walk.GradeHeldOutAsync(ct);
            await walk.ServeAsync(ct);
            await walk.TailExperimentAsync(ct);
            await walk.BestOfNAsync(ct);
            await walk.ReportAsync(ct);
            return CommandRunner.Ok;
        });
        return command;
    }
}
