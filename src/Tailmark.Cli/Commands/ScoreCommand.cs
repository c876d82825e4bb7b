using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Tailmark.Cli.Hosting;
using Tailmark.Grading;
using Tailmark.Io;
using Tailmark.Rubrics.Formats;
using Tailmark.Rubrics;
using Tailmark.Scoring;

namespace Tailmark.Cli.Commands;

/// <summary>
/// <c>tailmark score --rubrics R --verdicts V [--scoring PRESET|FILE] --out OUT</c>: verdicts → rewards with
/// no LLM at all. Task- and dataset-level rubrics in the rubrics file are layered onto each row's rubric by the rule
/// every command shares (<see cref="RubricSet"/>).
/// </summary>
internal static class ScoreCommand
{
    public static Command Create()
    {
        var rubrics = new Option<string>("--rubrics", "-r") { Description = "Rubrics file (any format `convert` reads).", Required = true };
        var verdicts = new Option<string>("--verdicts", "-v") { Description = "Verdicts JSONL: one row per graded response.", Required = true };
        var scoring = new Option<string?>("--scoring", "-s")
            { Description = $"Scoring preset ({string.Join(", ", ScoringConfigLoader.Presets)}) or a YAML/JSON scoring file. Default: default." };
        var defense = DefenseLayer.Option();
        var coverage = CoverageOption.Create();
        var responses = new Option<string?>("--responses")
            { Description = "Response rows (prompt_id, response_id, response): verifiable criteria without a verdict are checked on the text." };
        var output = new Option<string>("--out", "-o") { Description = "Graded JSONL to write.", Required = true };
        var command = new Command("score", "Compute rewards from a verdicts file (no LLM needed) and write graded rows.")
        {
            rubrics, verdicts, scoring, defense, responses, output, coverage,
        };
        command.SetAction(async (parse, ct) =>
        {
            var config = CoverageOption.Apply(ScoringConfigLoader.Load(parse.GetValue(scoring)), parse.GetValue(coverage));
            var pipeline = new RewardPipeline(config);
            var set = await RubricSet.LoadAsync(parse.GetValue(rubrics)!, DefenseLayer.Rubrics(parse.GetValue(defense)!), ct);
            var verdictPath = parse.GetValue(verdicts)!;
            var texts = parse.GetValue(responses) is { } responsesPath ? await ResponseRow.LoadAsync(responsesPath, ct) : null;
            var checks = new Tailmark.Checks.CheckRunner();
            var issues = new List<InputIssue>();
            var rewards = new List<double?>();
            int cannotAssess = 0, vetoes = 0;

            async IAsyncEnumerable<(VerdictRow Row, RewardResult Result)> Graded()
            {
                await foreach (var line in JsonlReader.ReadAsync(verdictPath, ct))
                {
                    var log = new IssueLog(verdictPath, line.Number);
                    if (line.ParseError is not null) log.Error(null, line.ParseError);
                    var row = line.Json is { } json ? VerdictRowReader.Read(json, log) : null;
                    if (row is not null && set.ById(row.RubricId) is null) log.Error("rubric_id", $"no rubric with id \"{row.RubricId}\" in the rubrics file");
                    issues.AddRange(log.Issues);
                    if (row is null || log.HasErrors) continue;
                    // The same layering as every other command: by the row's task and tags, else its rubric's own.
                    var composed = set.Compose(set.ById(row.RubricId)!, PromptTraits.Of(row.Extra));
                    if (texts is not null)
                    {
                        if (texts.TryGetValue((row.PromptId, row.ResponseId), out var text))
                        {
                            row = row with { Verdicts = VerifiableVerdicts.Fill(composed.Rubric, row.Verdicts, text.Response,
                                checks).ToImmutableSortedDictionary(StringComparer.Ordinal) };
                        }
                        else
                        {
                            issues.Add(new InputIssue(IssueSeverity.Warning, verdictPath, line.Number, "response_id",
                                $"no response text for ({row.PromptId}, {row.ResponseId}); verifiable criteria stay unassessed"));
                        }
                    }
                    var result = pipeline.Score(composed.Rubric, row.Verdicts);
                    rewards.Add(result.Reward);
                    cannotAssess += row.Verdicts.Values.Count(v => v.Status == VerdictStatus.CannotAssess);
                    if (result.Breakdown.VetoedBy is not null) vetoes++;
                    yield return (row, result);
                }
            }

            var outPath = parse.GetValue(output)!;
            using var staged = StagedFile.For(outPath);
            var written = await JsonRowSink.WriteAsync(Graded(), staged.Path, (w, g) => GradedRowWriter.Write(w, g.Row, g.Result, CommandRunner.Secrets), ct);
            CommandRunner.PrintIssues(issues);
            var errors = issues.Count(i => i.IsError);
            StagedOutput.Finish(staged, outPath, errors);
            var stats = RunStatistics.Compute(rewards, config.ClipRunMean);
            var table = new Table().AddColumns("measure", "value").Border(TableBorder.Rounded);
            table.AddRow("scoring", Markup.Escape(config.Name));
            table.AddRow("responses scored", written.ToString(CultureInfo.InvariantCulture));
            table.AddRow(config.ClipRunMean ? "mean reward (clipped to [[0,1]])" : "mean reward", Format(stats.Mean));
            table.AddRow("bootstrap std of the mean", Format(stats.BootstrapStd));
            table.AddRow("undefined rewards", stats.Undefined.ToString(CultureInfo.InvariantCulture));
            table.AddRow("cannot_assess verdicts", cannotAssess.ToString(CultureInfo.InvariantCulture));
            table.AddRow("vetoed responses", vetoes.ToString(CultureInfo.InvariantCulture));
            table.AddRow("rows with errors", errors.ToString(CultureInfo.InvariantCulture));
            CommandRunner.Out.Write(table);
            if (errors == 0) CommandRunner.Out.WriteLine($"graded rows: {outPath}");
            return errors > 0 ? CommandRunner.Failed : CommandRunner.Ok;
        });
        return command;
    }

    private static string Format(double? value) => value is { } v ? v.ToString("0.######", CultureInfo.InvariantCulture) : "n/a";
}
