using System.CommandLine;
using Spectre.Console;
using Tailmark.Evaluation.Report;
using Tailmark.Io;

namespace Tailmark.Cli.Commands;

/// <summary>
/// <c>tailmark report RUN_DIR [--out report.html]</c>: one self-contained HTML file with the charts of a run directory
/// (score distributions, pass rates, tail accuracy, best-of-n, refinement diffs, theory curves).
/// </summary>
internal static class ReportCommand
{
    public static Command Create()
    {
        var runDir = new Argument<string>("RUN_DIR")
            { Description = "A run directory: the demo's output, or any folder holding graded.jsonl, accuracy.jsonl, bon.jsonl or rounds/." };
        var output = new Option<string?>("--out", "-o") { Description = "The HTML file to write (default: RUN_DIR/report.html)." };
        var title = new Option<string>("--title") { Description = "Title of the report.", DefaultValueFactory = _ => "Tailmark report" };
        var command = new Command("report", "Write one self-contained HTML report (charts drawn with Chart.js, no network needed) for a run directory.")
        {
            runDir, output, title,
        };
        command.SetAction(async (parse, ct) =>
        {
            var dir = parse.GetValue(runDir)!;
            var path = parse.GetValue(output) ?? Path.Combine(dir, "report.html");
            var report = await Write(dir, path, parse.GetValue(title)!, ct);
            CommandRunner.Out.MarkupLine(Markup.Escape($"wrote {path}: {report.Sections.Count} sections, {report.Sections.Sum(s => s.Charts.Count)} charts, " +
                $"from {string.Join(", ", report.Sources)} and the theory curves"));
            return CommandRunner.Ok;
        });
        return command;
    }

    /// <summary>Builds and writes the report of <paramref name="dir"/>; shared with the demo.</summary>
    public static async Task<RunReport.Result> Write(string dir, string path, string title, CancellationToken ct)
    {
        var report = await RunReport.BuildAsync(dir, ct);
        var subtitle = $"Run directory {Path.GetFileName(Path.GetFullPath(dir).TrimEnd(Path.DirectorySeparatorChar))}, " +
            $"written {CommandRunner.Time.GetUtcNow():yyyy-MM-dd HH:mm} UTC from {string.Join(", ", report.Sources)}.";
        await JsonRowSink.WriteTextAsync(path, HtmlReportWriter.Render(title, subtitle, report.Sections), ct);
        return report;
    }
}
