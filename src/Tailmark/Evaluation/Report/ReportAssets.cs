using System.Reflection;

namespace Tailmark.Evaluation.Report;

/// <summary>
/// The report's embedded front-end files: Chart.js (fetched from the npm registry by the build, pinned by
/// package-lock.json beside this file) and our own renderer script and style sheet.
/// </summary>
public static class ReportAssets
{
    private static readonly Lazy<string> ChartJsText = new(() => Read("chart.umd.min.js"));
    private static readonly Lazy<string> ScriptText = new(() => Read("report.js"));
    private static readonly Lazy<string> StyleText = new(() => Read("report.css"));

    public static string ChartJs => ChartJsText.Value;
    public static string Script => ScriptText.Value;
    public static string Style => StyleText.Value;

    private static string Read(string name)
    {
        using var stream = typeof(ReportAssets).Assembly.GetManifestResourceStream($"Tailmark.Report.{name}")
            ?? throw new InvalidOperationException($"the report asset {name} is not embedded; rebuild with npm available");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
