using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Tailmark.Building;
using Tailmark.Checks;
using Tailmark.Cli.Hosting;
using Tailmark.Grading;
using Tailmark.Io;
using Tailmark.Judging;
using Tailmark.Rubrics.Formats;
using Tailmark.Rubrics;
using Tailmark.Scoring;
using Tailmark.Storage;

namespace Tailmark.Cli.Commands;

/// <summary>
/// <c>tailmark inspect RUN_DIR|RUBRICS --pool POOL --judge SPEC</c>: rubric quality on a pool — pass rates,
/// criteria with no signal, redundant criteria, separation of the top responses, size and weight mix. With
/// <c>--hacks CASES</c>: defense criteria mined from a reward server's audit cases (<see cref="InspectHacks"/>).
/// </summary>
internal static class InspectCommand
{
    public static Command Create()
    {
        var target = new Argument<string>("rubrics") { Description = "A refine run directory (its rubrics.jsonl) or a rubrics file." };
        var pool = new Option<string?>("--pool") { Description = "Response rows to grade with each rubric (required unless --hacks)." };
        var hacks = new Option<string?>("--hacks")
        {
            Description = "Instead: mine defense criteria from a reward server's audit cases (GET /v1/audit/cases saved to a file), "
                + "checked by the judge on every suspected and good case, for a person to review.",
        };
        var proposer = new Option<string>("--proposer") { Description = "With --hacks: the proposer endpoint spec.", DefaultValueFactory = _ => "sim" };
        var output = new Option<string?>("--out", "-o") { Description = "With --hacks: also write the candidates as JSONL." };
        var judge = new Option<string>("--judge", "-j") { Description = "Judge endpoint spec.", DefaultValueFactory = _ => "sim" };
        var cache = CacheOption.Create();
        var topK = new Option<int>("--top-k") { Description = "How many top responses the separation measures look at.", DefaultValueFactory = _ => 4 };
        var command = new Command("inspect",
            "Report rubric quality on a pool: pass rates, criteria without signal, redundancy, separation of the top responses.")
        {
            target, pool, judge, cache, topK, hacks, proposer, output,
        };
        var endpointOptions = new EndpointOptions();
        endpointOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var path = parse.GetValue(target)!;
            if (Directory.Exists(path)) path = Path.Combine(path, "rubrics.jsonl");
            if (parse.GetValue(hacks) is { } casesPath)
            {
                return await InspectHacks.RunAsync(path, casesPath, parse.GetValue(proposer)!, parse.GetValue(judge)!, parse.GetValue(cache)!,
                    parse.GetValue(output), endpointOptions, parse, ct);
            }
            if (parse.GetValue(pool) is null) throw new UsageException("give --pool (the responses to inspect the rubrics on), or --hacks CASES");
            var set = await RubricSet.LoadAsync(path, null, ct);
            var rubrics = set.Instances.OrderBy(r => r.Id, StringComparer.Ordinal).ToList();
            var responses = (await ResponseRow.LoadAsync(parse.GetValue(pool)!, ct)).Values.GroupBy(r => r.PromptId).ToDictionary(g => g.Key, g =>
                g.OrderBy(r => r.ResponseId, StringComparer.Ordinal).ToList());
            await using var endpoints = endpointOptions.Open(parse);
            using var graders = await Graders.OpenAsync(endpoints, parse.GetValue(judge)!, parse.GetValue(cache)!,
                new JudgeOptions { Mode = JudgeMode.AllAtOnce }, "ctt", ct);
            var inspector = new RubricInspector(graders.Batch, parse.GetValue(topK), set);
            var summary = new Table().Border(TableBorder.Rounded).AddColumns("rubric", "responses", "criteria", "weights +/-", "no signal", "redundant",
                "top gap", "top-k ties");
            var flagged = new Table().Border(TableBorder.Rounded).AddColumns("rubric", "criterion", "pass rate", "problem", "text");
            foreach (var rubric in rubrics)
            {
                var report = await inspector.InspectAsync(rubric, responses.GetValueOrDefault(rubric.PromptId ?? rubric.Id) ?? [], ct);
                summary.AddRow(Markup.Escape(report.RubricId), report.Responses.ToString(CultureInfo.InvariantCulture),
                    report.Criteria.Count.ToString(CultureInfo.InvariantCulture),
                    $"{report.PositiveWeight:0.#} / {report.NegativeWeight:0.#}", report.Criteria.Count(c =>
                        c.CarriesNoSignal).ToString(CultureInfo.InvariantCulture),
                    report.Criteria.Count(c => c.SameVerdictsAs.Count > 0).ToString(CultureInfo.InvariantCulture),
                    report.TopGap is { } gap ? gap.ToString("0.000", CultureInfo.InvariantCulture) : "-", $"{100 * report.TopTieShare:0}% of {report.TopK}");
                foreach (var c in report.Criteria.Where(c => c.CarriesNoSignal || c.SameVerdictsAs.Count > 0))
                {
                    var problem = c.CarriesNoSignal ? (c.Met == 0 ? "never met" : "always met") : $"same verdicts as {string.Join(", ", c.SameVerdictsAs)}";
                    flagged.AddRow(Markup.Escape(report.RubricId), Markup.Escape(c.Id), double.IsNaN(c.PassRate) ? "-" : $"{100 * c.PassRate:0}%",
                        Markup.Escape(problem), Markup.Escape(c.Text.Length > 70 ? c.Text[..67] + "..." : c.Text));
                }
            }
            CommandRunner.Out.Write(summary);
            if (flagged.Rows.Count > 0)
            {
                CommandRunner.Out.MarkupLine("Criteria that cannot separate these responses, or duplicate another criterion's verdicts:");
                CommandRunner.Out.Write(flagged);
            }
            return CommandRunner.Ok;
        });
        return command;
    }
}
