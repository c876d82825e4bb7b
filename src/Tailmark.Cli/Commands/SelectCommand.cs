using System.CommandLine;
using System.Globalization;
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

/// <summary><c>tailmark select --pool POOL --rubrics R --judge SPEC --band LOW,HIGH</c>: Rubicon's offline data selection.</summary>
internal static class SelectCommand
{
    public static Command Create()
    {
        var pool = new Option<string>("--pool") { Description = "Base-policy responses (response rows).", Required = true };
        var shared = new EvalOptions("Rubrics (instance rubrics by prompt_id).");
        var band = new Option<string>("--band")
            { Description = "Central quantile band of prompts' mean scores to keep, e.g. 0.1,0.9.", DefaultValueFactory = _ => "0.1,0.9" };
        var output = new Option<string?>("--out", "-o") { Description = "Write every prompt's decision (prompt_id, responses, mean, keep, reason) as JSONL." };
        var command = new Command("select",
            "Keep prompts whose base-policy scores sit in a central quantile band (Rubicon's data selection); report what was dropped and why.")
        {
            pool, band, output,
        };
        shared.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var parts = parse.GetValue(band)!.Split(',');
            if (parts.Length != 2 || !double.TryParse(parts[0], NumberStyles.Float, CultureInfo.InvariantCulture, out var low) ||
                !double.TryParse(parts[1], NumberStyles.Float, CultureInfo.InvariantCulture, out var high) || !(low >= 0 && low < high && high <= 1))
            {
                throw new UsageException($"--band must be LOW,HIGH with 0 ≤ LOW < HIGH ≤ 1, not '{parse.GetValue(band)}'");
            }
            var set = await shared.RubricsAsync(parse, ct);
            var rows = await ResponseRow.LoadOrderedAsync(parse.GetValue(pool)!, ct);
            await using var opened = await shared.OpenAsync(parse, new JudgeOptions { Mode = JudgeMode.AllAtOnce }, ct);
            // A prompt without a rubric has no score: it is dropped, and says so.
            var scored = rows.Where(r => !set.HasPrompt(r.PromptId)).Select(r => (r.PromptId, (double?)null)).ToList();
            foreach (var o in await opened.Batch.GradeAllAsync(rows.Select(set.ItemFor).OfType<GradeItem>(), null, ct))
            {
                scored.Add((o.Item.Response.PromptId, o.GradedOrThrow().Result.Reward));
            }
            var decisions = DataSelection.Select(scored, low, high);
            var table = new Table().Border(TableBorder.Rounded).AddColumns("prompt", "responses", "mean", "decision");
            foreach (var d in decisions.Where(d => !d.Keep)) table.AddRow(Markup.Escape(d.PromptId), d.Responses.ToString(CultureInfo.InvariantCulture),
                d.Mean?.ToString("0.000", CultureInfo.InvariantCulture) ?? "-", Markup.Escape("dropped: " + d.Reason));
            CommandRunner.Out.WriteLine($"kept {decisions.Count(d => d.Keep)} of {decisions.Count} prompts " +
                $"(band {low.ToString(CultureInfo.InvariantCulture)}-{high.ToString(CultureInfo.InvariantCulture)} of the prompts' mean scores)");
            if (table.Rows.Count > 0) CommandRunner.Out.Write(table);
            if (parse.GetValue(output) is { } path)
            {
                await JsonRowSink.WriteAsync(decisions, path, (w, d) =>
                {
                    w.WriteStartObject();
                    w.WriteString("prompt_id", d.PromptId);
                    w.WriteNumber("responses", d.Responses);
                    if (d.Mean is { } m) w.WriteNumber("mean", m);
                    else w.WriteNull("mean");
                    w.WriteBoolean("keep", d.Keep);
                    w.WriteString("reason", d.Reason);
                    w.WriteEndObject();
                }, ct);
            }
            return CommandRunner.Ok;
        });
        return command;
    }
}
