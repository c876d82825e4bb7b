using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Tailmark.Evaluation;
using Tailmark.Evaluation.Report;
using Tailmark.Io;

namespace Tailmark.Cli.Commands;

/// <summary>
/// <c>tailmark theory --map MAP (--beta B | --bon N) [--json]</c>: KL and win rate of the Theorem-1 optimum or of
/// best-of-N under a misspecified reward; <c>--curves --out FILE</c> writes win rate against KL for several maps, as charts (.html) or CSV.
/// </summary>
internal static class TheoryCommand
{
    public static Command Create()
    {
        var map = new Option<string?>("--map") { Description = "correct, reversed, top:C, worst:C or file:PATH (segments [[u0, u1, r0, r1], ...])." };
        var beta = new Option<double?>("--beta") { Description = "KL coefficient β of the regularized optimum." };
        var bon = new Option<int?>("--bon") { Description = "n of best-of-n." };
        var json = new Option<bool>("--json") { Description = "Print one JSON object {map, kl, win_rate}." };
        var curves = new Option<bool>("--curves")
            { Description = "Write win rate against KL for several maps (the paper's Figure 2): a chart (--out FILE.html) or the numbers (--out FILE.csv)." };
        var output = new Option<string?>("--out", "-o")
            { Description = "File for --curves: .html draws the charts; anything else gets CSV (family, map, parameter, kl, win_rate)." };
        var command = new Command("theory", "Theorem 1 of Chasing the Tail: how ranking errors in the high-reward tail limit what optimization can gain.")
        {
            map, beta, bon, json, curves, output,
        };
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(curves))
            {
                var path = parse.GetValue(output) ?? throw new UsageException("--curves needs --out FILE (.html for a chart, .csv for the numbers)");
                var points = TheoryCurves.Compute();
                var html = path.EndsWith(".html", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".htm", StringComparison.OrdinalIgnoreCase);
                await JsonRowSink.WriteTextAsync(path, html
                    ? HtmlReportWriter.Render("Win rate against KL", "Theorem 1 of Chasing the Tail, computed by Tailmark.", [TheorySection.Build(points)])
                    : Csv(points), ct);
                Console.Error.WriteLine($"wrote win-rate-against-KL {(html ? "charts" : "curves")} for {string.Join(", ", TheoryCurves.Maps)}: {path}");
                return CommandRunner.Ok;
            }
            var spec = parse.GetValue(map) ?? throw new UsageException("--map is required (or use --curves)");
            var b = parse.GetValue(beta);
            var n = parse.GetValue(bon);
            if (b is null == n is null) throw new UsageException("give exactly one of --beta B or --bon N");
            QuantileMap quantileMap;
            try
            {
                quantileMap = QuantileMap.Parse(spec);
            }
            catch (FormatException ex)
            {
                throw new UsageException(ex.Message);
            }
            TheoryResult result;
            try
            {
                result = b is { } beta0 ? Theory.KlRegularized(quantileMap, beta0) : Theory.BestOfN(quantileMap, n!.Value);
            }
            catch (ArgumentOutOfRangeException ex)
            {
                throw UsageException.From(ex);
            }
            if (parse.GetValue(json))
            {
                Console.WriteLine(JsonOutput.Render(w =>
                {
                    w.WriteStartObject();
                    w.WriteString("map", spec);
                    w.WriteNumber("kl", result.Kl);
                    w.WriteNumber("win_rate", result.WinRate);
                    w.WriteEndObject();
                }));
            }
            else
            {
                var what = b is { } bb ? $"KL-regularized optimum, β = {bb.ToString(CultureInfo.InvariantCulture)}" : $"best-of-{n}";
                CommandRunner.Out.MarkupLine(Markup.Escape($"{what}, map {spec}: KL = {result.Kl.ToString("0.000000", CultureInfo.InvariantCulture)}, win " +
                    $"rate = {result.WinRate.ToString("0.000000", CultureInfo.InvariantCulture)}"));
            }
            return CommandRunner.Ok;
        });
        return command;
    }

    private static string Csv(IReadOnlyList<TheoryCurvePoint> points)
    {
        var sb = new System.Text.StringBuilder("family,map,parameter,kl,win_rate\n");
        foreach (var p in points) sb.Append(CultureInfo.InvariantCulture, $"{p.Family},{p.Map},{p.Parameter:G6},{p.Kl:G9},{p.WinRate:G9}\n");
        return sb.ToString();
    }
}
