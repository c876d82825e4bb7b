using System.CommandLine;
using Tailmark.Sim;

namespace Tailmark.Cli.Commands;

/// <summary>
/// <c>tailmark demo [--out DIR]</c>: the whole system on the simulated world with no configuration — sample a pool,
/// propose and refine rubrics, grade, serve rewards through a real reward server, and measure tail accuracy and
/// best-of-n — printing what it did and where the files are. The simulated judge and proposer answer in the
/// <c>mixed</c> dialect by default, as served models do (reasoning blocks, fences, prose, Python literals, …).
/// </summary>
internal static class DemoCommand
{
    public static Command Create()
    {
        var output = new Option<string>("--out", "-o")
            { Description = "Folder for everything the demo writes.", DefaultValueFactory = _ => Path.Combine("out", "demo") };
        var tasks = new Option<int>("--tasks") { Description = "Prompts in the simulated world.", DefaultValueFactory = _ => 16 };
        var seed = new Option<int>("--seed") { Description = "World seed.", DefaultValueFactory = _ => 7 };
        var dialect = new Option<string>("--sim-dialect")
            { Description = "How the simulated judge and proposer write, as for `sim serve --dialect`: mixed (the default) answers the way served models do.",
                DefaultValueFactory = _ => "mixed" };
        var command = new Command("demo",
            "Run the whole walk on the simulated world, with no configuration: pool, rubrics, refinement, grading, serving, tail accuracy, best-of-n.")
        {
            output, tasks, seed, dialect,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(tasks) < 4) throw new UsageException("--tasks must be at least 4");
            SimPerModel<SimDialect> dialects;
            try
            {
                dialects = SimOptions.ParseDialects(parse.GetValue(dialect));
            }
            catch (FormatException ex)
            {
                throw new UsageException(ex.Message);
            }
            await using var walk = new DemoWalk(parse.GetValue(output)!, parse.GetValue(tasks), parse.GetValue(seed), dialects);
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
