using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Tailmark.Cli.Hosting;
using Tailmark.Evaluation;
using Tailmark.Io;
using Tailmark.Llm;
using Tailmark.Sim.Server;
using Tailmark.Sim;
using Tailmark.Sim.Experiments;

namespace Tailmark.Cli.Commands;

/// <summary><c>tailmark experiment tail --tasks N --seed S</c>: the paper's Table 2 on the simulated world.</summary>
internal static class ExperimentCommand
{
    public static Command Create()
    {
        var tasks = new Option<int>("--tasks") { Description = "Tasks (prompts) in the simulated world.", DefaultValueFactory = _ => 24 };
        var seed = new Option<int>("--seed") { Description = "World seed.", DefaultValueFactory = _ => 7 };
        var votes = new Option<int>("--votes") { Description = "Judge votes per criterion when evaluating (majority).", DefaultValueFactory = _ => 5 };
        var judgeError = new Option<double>("--judge-error")
            { Description = "Error rate of the simulated judge.", DefaultValueFactory = _ => new SimOptions().JudgeErrorRate };
        var concurrency = new Option<int>("--concurrency") { Description = "Tasks worked on at once.", DefaultValueFactory = _ => 4 };
        var output = new Option<string?>("--out", "-o") { Description = "Also write the results as JSON to this file." };
        var dialect = new Option<string?>("--sim-dialect")
            { Description = "How the simulated judge and proposer write, as for `sim serve --dialect` (default clean)." };
        var tail = new Command("tail",
            "Build rubrics five ways (prompt only; 1 pair good; 1 pair great; 4 rounds great; 4 rounds great & diverse) and measure their accuracy against " +
                "gold on high- and low-reward pairs.")
        {
            tasks, seed, votes, judgeError, concurrency, output, dialect,
        };
        tail.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(tasks) < 2) throw new UsageException("--tasks must be at least 2");
            SimServerOptions simOptions;
            try
            {
                simOptions = new SimServerOptions
                {
                    World = new SimOptions
                    {
                        Seed = parse.GetValue(seed), Tasks = parse.GetValue(tasks), JudgeErrorRate = parse.GetValue(judgeError),
                        Dialects = SimOptions.ParseDialects(parse.GetValue(dialect)),
                    },
                };
                simOptions.World.Validate();
            }
            catch (Exception ex) when (ex is ArgumentOutOfRangeException or FormatException)
            {
                throw UsageException.From(ex);
            }
            await using var endpoints = new Endpoints(null, simOptions);
            var limits = new EndpointLimits { Concurrency = 64, Timeout = TimeSpan.FromSeconds(60) };
            var generators = new Dictionary<string, Microsoft.Extensions.AI.IChatClient>();
            foreach (var g in SimGenerators.All) generators[g.Name] = await endpoints.OpenAsync($"sim:{g.Name}", g.Name, limits, ct);
            var proposer = await endpoints.OpenAsync("sim:sim-proposer", "sim-proposer", limits, ct);
            var judge = await endpoints.OpenAsync("sim:sim-judge", "sim-judge", limits, ct);
            var experiment = new TailExperiment(endpoints.Sim!.World, m => generators[m], proposer, judge, parse.GetValue(votes));
            var progress = new Progress<string>(m => { if (!Console.IsErrorRedirected) Console.Error.Write($"\r{m}   "); });
            var rows = await experiment.RunAsync(parse.GetValue(concurrency), progress, ct);
            if (!Console.IsErrorRedirected) Console.Error.WriteLine();
            Print(rows, parse.GetValue(tasks), parse.GetValue(seed), parse.GetValue(votes));
            if (parse.GetValue(output) is { } path) await JsonRowSink.WriteAsync(rows, path, Write, ct);
            return CommandRunner.Ok;
        });
        return new Command("experiment", "Experiments on the simulated world.") { tail, ExperimentRl.Create() };
    }

    private static void Print(IReadOnlyList<TailExperimentRow> rows, int tasks, int seed, int votes)
    {
        static string P(AccuracyWithInterval r) => double.IsNaN(r.Accuracy) ? "-" : $"{100 * r.Accuracy:0.0}% [{100 * r.Low:0}–{100 * r.High:0}] ({r.Pairs})";
        var table = new Table().Border(TableBorder.Rounded).AddColumns("rubrics built from", "high-reward pairs", "low-reward pairs", "all pairs", "criteria");
        foreach (var r in rows) table.AddRow(Markup.Escape(r.Name), Markup.Escape(P(r.High)), Markup.Escape(P(r.Low)), Markup.Escape(P(r.All)),
            r.MeanCriteria.ToString("0.0", CultureInfo.InvariantCulture));
        CommandRunner.Out.MarkupLine($"Rubric accuracy against gold, {tasks} tasks, seed {seed}, {votes}-vote majority, ties counted wrong (bootstrap 95% " +
            $"interval, pairs in parentheses):");
        CommandRunner.Out.Write(table);
    }

    private static void Write(System.Text.Json.Utf8JsonWriter w, TailExperimentRow r) =>
        AccuracyRowWriter.Write(w, r.Name, [r.High, r.Low, r.All], r.MeanCriteria);
}
