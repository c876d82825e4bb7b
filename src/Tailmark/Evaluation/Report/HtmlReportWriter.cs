using System.Net;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tailmark.Evaluation.Report;

/// <summary>
/// Renders sections into one self-contained HTML file: the page structure and tables are written here, the chart
/// configurations travel as one JSON island, and Chart.js plus our renderer are inlined — the file opens offline and
/// asks nothing of the network.
/// </summary>
public static class HtmlReportWriter
{
    // The default encoder escapes <, > and &, so the JSON island can never close its own script element.
    private static readonly JsonSerializerOptions IslandOptions = new() { Encoder = JavaScriptEncoder.Default };

    public static string Render(string title, string subtitle, IReadOnlyList<ReportSection> sections)
    {
        var ids = sections.SelectMany(s => s.Charts).Select(c => c.Id).ToList();
        if (ids.Distinct(StringComparer.Ordinal).Count() != ids.Count) throw new ArgumentException("chart ids must be unique", nameof(sections));
        var html = new StringBuilder();
        html.Append("<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, " +
            "initial-scale=1\">\n");
        html.Append("<title>").Append(Esc(title)).Append("</title>\n<style>\n").Append(ReportAssets.Style).Append("\n</style>\n</head>\n<body>\n");
        html.Append("<header><h1>").Append(Esc(title)).Append("</h1><p>").Append(Esc(subtitle)).Append("</p>\n<nav>");
        for (var i = 0; i < sections.Count; i++) html.Append("<a href=\"#s").Append(i).Append("\">").Append(Esc(sections[i].Title)).Append("</a>");
        html.Append("</nav></header>\n<main>\n");
        for (var i = 0; i < sections.Count; i++) Section(html, i, sections[i]);
        html.Append("</main>\n");
        var island = new JsonObject { ["charts"] = new JsonArray([.. sections.SelectMany(s => s.Charts).Select(c =>
            (JsonNode)new JsonObject { ["id"] = c.Id, ["config"] = c.Config.DeepClone() })]) };
        html.Append("<script type=\"application/json\" id=\"tailmark-data\">").Append(island.ToJsonString(IslandOptions)).Append("</script>\n");
        html.Append("<script>\n").Append(Inline(ReportAssets.ChartJs)).Append("\n</script>\n");
        html.Append("<script>\n").Append(Inline(ReportAssets.Script)).Append("\n</script>\n</body>\n</html>\n");
        return html.ToString();
    }

    private static void Section(StringBuilder html, int index, ReportSection section)
    {
        html.Append("<section id=\"s").Append(index).Append("\">\n<h2>").Append(Esc(section.Title)).Append("</h2>\n<p>")
            .Append(Esc(section.Description)).Append("</p>\n");
        foreach (var chart in section.Charts)
        {
            html.Append("<figure><div class=\"chart\"><canvas id=\"").Append(Esc(chart.Id)).Append("\" role=\"img\" aria-label=\"").Append(Esc(chart.Caption))
                .Append("\"></canvas></div><figcaption>").Append(Esc(chart.Caption)).Append("</figcaption></figure>\n");
        }
        foreach (var table in section.Tables) Table(html, table);
        if (section.Details is { Count: > 0 } details)
        {
            foreach (var table in details)
            {
                html.Append("<details><summary>").Append(Esc(table.Caption)).Append("</summary>\n");
                Table(html, table with { Caption = "" });
                html.Append("</details>\n");
            }
        }
        html.Append("</section>\n");
    }

    private static void Table(StringBuilder html, ReportTable table)
    {
        html.Append("<table>");
        if (table.Caption.Length > 0) html.Append("<caption>").Append(Esc(table.Caption)).Append("</caption>");
        html.Append("<thead><tr>");
        foreach (var c in table.Columns) html.Append("<th>").Append(Esc(c)).Append("</th>");
        html.Append("</tr></thead><tbody>\n");
        foreach (var row in table.Rows)
        {
            html.Append("<tr>");
            foreach (var cell in row) html.Append("<td>").Append(Esc(cell)).Append("</td>");
            html.Append("</tr>\n");
        }
        html.Append("</tbody></table>\n");
    }

    private static string Esc(string text) => WebUtility.HtmlEncode(text);

    /// <summary>An inlined script must not contain its own end tag; the libraries we embed do not, and we check.</summary>
    private static string Inline(string script) =>
        script.Contains("</script", StringComparison.OrdinalIgnoreCase)
            ? throw new InvalidOperationException("an embedded script contains </script and cannot be inlined")
            : script;
}
