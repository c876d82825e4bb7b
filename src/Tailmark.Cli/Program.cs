using System.CommandLine;
using Tailmark.Cli;
using Tailmark.Cli.Commands;

var root = new RootCommand(
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
    DemoCommand.Create(),
};
return await CommandRunner.RunAsync(root, args);
