using System.CommandLine;
using Tailmark.Cli.Commands;

namespace Tailmark.Cli;

/// <summary>The command tree of <c>tailmark</c>, built fresh for each run (the fuzz tests run it in process).</summary>
internal static class CliRoot
{
    public static RootCommand Create() => new(
        "Tailmark: rubric-based rewards for LLM post-training. Build rubrics, grade responses, serve rewards, " +
        "and check that the reward still ranks the best responses correctly.")
    {
        ConvertCommand.Create(),
        ValidateCommand.Create(),
        ScoreCommand.Create(),
        StatsCommand.Create(),
        CheckCommand.Create(),
        SimCommand.Create(),
        GradeCommand.Create(),
        MergeCommand.Create(),
        CacheCommand.Create(),
        ExperimentCommand.Create(),
        BuildCommands.Sample(),
        BuildCommands.Propose(),
        BuildCommands.Refine(),
        InspectCommand.Create(),
        PoolCommand.Create(),
        TheoryCommand.Create(),
        ReportCommand.Create(),
        EvalCommand.Create(),
        SelectCommand.Create(),
        ServeCommand.Create(),
        MonitorCommand.Create(),
        DemoCommand.Create(),
    };
}
