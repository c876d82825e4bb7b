using System.Collections.Immutable;
using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Tailmark.Checks;
using Tailmark.Cli.Hosting;
using Tailmark.Grading;
using Tailmark.Evaluation;
using Tailmark.Io;
using Tailmark.Judging;
using Tailmark.Rubrics;
using Tailmark.Scoring;
using Tailmark.Storage;

namespace Tailmark.Cli.Commands;

/// <summary>
/// <c>tailmark eval pairs --rubrics R --pairs PAIRS --judge SPEC [--votes k] [--ties wrong|half|exclude]</c>:
/// accuracy of rubric rewards on preference pairs by reward region, with bootstrap intervals, and the judge's
/// agreement with per-criterion labels.
/// </summary>
internal static class EvalPairsCommand
{
    public static Command Create()
    {
        var shared = new EvalOptions("Rubrics (instance rubrics by prompt_id).");
        var pairs = new Option<string>("--pairs")
            { Description = "Pair rows: prompt_id, chosen, rejected, chosen_gold?, rejected_gold?, region?, chosen_labels?, rejected_labels?.",
                Required = true };
        var responses = new Option<string?>("--responses")
            { Description = "Response rows: lets chosen/rejected name response ids instead of holding the texts." };
        var votes = new Option<int>("--votes") { Description = "Judge votes per criterion (majority).", DefaultValueFactory = _ => 1 };
        var ties = new Option<string>("--ties")
            { Description = "A pair the reward scores equal counts as wrong, half or is excluded.", DefaultValueFactory = _ => "wrong" };
        var output = new Option<string?>("--out", "-o") { Description = "Also write the accuracies as one accuracy row (JSONL, read by `tailmark report`)." };
        var command = new Command("pairs",
            "Accuracy of rubric rewards on preference pairs, by reward region, with bootstrap 95% intervals; judge agreement with criterion labels.")
        {
            pairs, responses, votes, ties, output,
        };
        shared.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var tiePolicy = parse.GetValue(ties) switch
            {
                "wrong" => PairTies.Wrong,
                "half" => PairTies.Half,
                "exclude" => PairTies.Exclude,
                var t => throw new UsageException($"--ties must be wrong, half or exclude, not '{t}'"),
            };
            if (parse.GetValue(votes) < 1) throw new UsageException("--votes must be at least 1");
            var set = await shared.RubricsAsync(parse, ct);
            var texts = parse.GetValue(responses) is { } rp ? await ResponseRow.LoadAsync(rp, ct) : null;
            var rows = await ReadPairsAsync(parse.GetValue(pairs)!, set, texts, ct);
            await using var opened = await shared.OpenAsync(parse, new JudgeOptions { Mode = JudgeMode.AllAtOnce, Votes = parse.GetValue(votes) }, ct);
            var median = Median(rows.SelectMany(r => new[] { r.ChosenGold, r.RejectedGold }).Where(g => g is not null).Select(g => g!.Value).ToList());
            // Both sides of every pair in one batch; outcomes come back in the same order, chosen then rejected.
            var items = rows.SelectMany((r, i) => new[]
            {
                set.ItemFor(new ResponseRow(r.PromptId, $"pair{i}-chosen", r.Chosen, null, r.Fields))!,
                set.ItemFor(new ResponseRow(r.PromptId, $"pair{i}-rejected", r.Rejected, null, r.Fields))!,
            });
            var results = (await opened.Batch.GradeAllAsync(items, null, ct)).Select(o => o.GradedOrThrow()).ToList();
            var outcomes = new List<PairEvaluation.Outcome>();
            var labelled = new List<(bool Label, bool Judge)>();
            for (var i = 0; i < rows.Count; i++)
            {
                var (r, chosen, rejected) = (rows[i], results[2 * i], results[2 * i + 1]);
                outcomes.Add(new PairEvaluation.Outcome(RegionOf(r, median), chosen.Result.Reward, rejected.Result.Reward));
                foreach (var (labels, graded) in new[] { (r.ChosenLabels, chosen), (r.RejectedLabels, rejected) })
                {
                    foreach (var (id, label) in labels)
                    {
                        if (graded.Row.Verdicts.TryGetValue(id, out var v)
                            && v.Status != VerdictStatus.CannotAssess) labelled.Add((label, v.Status == VerdictStatus.Met));
                    }
                }
            }
            var accuracies = PairEvaluation.Compute(outcomes, tiePolicy);
            Print(accuracies, labelled.Count > 0 ? Agreement.Of(labelled) : null, tiePolicy);
            if (parse.GetValue(output) is { } path)
            {
                await JsonRowSink.WriteAsync([accuracies], path, (w, a) =>
                    AccuracyRowWriter.Write(w, Path.GetFileNameWithoutExtension(parse.GetValue(shared.Rubrics)!), a), ct);
            }
            return CommandRunner.Ok;
        });
        return command;
    }

    /// <summary>A pair row; <see cref="Fields"/> are its other fields (its task and tags among them), passed to both sides.</summary>
    private sealed record PairRow(string PromptId, string Chosen, string Rejected, double? ChosenGold, double? RejectedGold, string? Region,
        IReadOnlyDictionary<string, bool> ChosenLabels, IReadOnlyDictionary<string, bool> RejectedLabels,
        ImmutableSortedDictionary<string, JsonElement> Fields);

    private static Task<List<PairRow>> ReadPairsAsync(string path, RubricSet rubrics,
        IReadOnlyDictionary<(string, string), ResponseRow>? texts, CancellationToken ct) =>
        JsonlRows.ReadAsync(path, f =>
        {
            var promptId = f.String("prompt_id", required: true);
            var chosen = f.String("chosen", required: true);
            var rejected = f.String("rejected", required: true);
            var cg = f.Number("chosen_gold");
            var rg = f.Number("rejected_gold");
            var region = f.String("region");
            var cl = Labels(f, "chosen_labels");
            var rl = Labels(f, "rejected_labels");
            var fields = f.Rest(quiet: true);
            TraitFields.Read(fields, f.Log);
            if (promptId is not null && !rubrics.HasPrompt(promptId)) f.Log.Error("prompt_id", $"no instance rubric for prompt \"{promptId}\"");
            string Resolve(string value) => texts is not null && promptId is not null
                && texts.TryGetValue((promptId, value), out var row) ? row.Response : value;
            return promptId is not null && chosen is not null && rejected is not null
                ? new PairRow(promptId, Resolve(chosen), Resolve(rejected), cg, rg, region, cl, rl, fields)
                : null;
        }, ct);

    private static Dictionary<string, bool> Labels(JsonFieldReader f, string name)
    {
        var result = new Dictionary<string, bool>(StringComparer.Ordinal);
        if (f.Object(name) is not { } obj) return result;
        foreach (var p in obj.EnumerateObject())
        {
            if (p.Value.ValueKind is JsonValueKind.True or JsonValueKind.False) result[p.Name] = p.Value.GetBoolean();
            else f.Log.Error($"{name}.{p.Name}", "expected true or false");
        }
        return result;
    }

    /// <summary>The pair's own region, else high/low by whether both golds lie at or above / below the file's median gold.</summary>
    private static string RegionOf(PairRow r, double? median)
    {
        if (r.Region is not null) return r.Region;
        if (median is not { } m || r.ChosenGold is not { } a || r.RejectedGold is not { } b) return "all";
        return Math.Min(a, b) >= m ? "high" : Math.Max(a, b) < m ? "low" : "mixed";
    }

    private static double? Median(List<double> values)
    {
        if (values.Count == 0) return null;
        values.Sort();
        return values.Count % 2 == 1 ? values[values.Count / 2] : (values[values.Count / 2 - 1] + values[values.Count / 2]) / 2;
    }

    private static void Print(IReadOnlyList<AccuracyWithInterval> rows, Agreement? agreement, PairTies ties)
    {
        static string F(double v) => double.IsNaN(v) ? "-" : v.ToString("0.000", CultureInfo.InvariantCulture);
        var table = new Table().Border(TableBorder.Rounded).AddColumns("region", "pairs", "ties", "accuracy", "95% interval");
        foreach (var r in rows) table.AddRow(Markup.Escape(r.Region), r.Pairs.ToString(CultureInfo.InvariantCulture),
            r.Ties.ToString(CultureInfo.InvariantCulture), F(r.Accuracy), Markup.Escape($"[{F(r.Low)}, {F(r.High)}]"));
        CommandRunner.Out.MarkupLine($"Preference accuracy (ties counted {ties.ToString().ToLowerInvariant()}):");
        CommandRunner.Out.Write(table);
        if (agreement is not null)
        {
            CommandRunner.Out.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"judge vs labels on {agreement.Items} criterion verdicts: balanced F1 {F(agreement.BalancedF1)}, Cohen's kappa {F(agreement.Kappa)}"));
        }
    }
}
