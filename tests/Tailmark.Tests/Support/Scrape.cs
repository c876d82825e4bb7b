using System.Globalization;
using System.Text.RegularExpressions;

namespace Tailmark.Tests.Support;

/// <summary>
/// Reads a sample out of Prometheus text as a scraper does: <c>name value</c> or <c>name{} value</c> (an empty label set,
/// which the exporter writes for unlabelled samples) or <c>name{labels} value</c>.
/// </summary>
public static class Scrape
{
    /// <summary>The value of SAMPLE (a name, or a name with its labels as written), or null when the text has none.</summary>
    public static double? Value(string text, string sample)
    {
        var pattern = sample.Contains('{', StringComparison.Ordinal) ? Regex.Escape(sample) : Regex.Escape(sample) + @"(?:\{\})?";
        var m = Regex.Match(text, $"^{pattern} (\\S+)$", RegexOptions.Multiline);
        return m.Success ? double.Parse(m.Groups[1].Value, CultureInfo.InvariantCulture) : null;
    }

    public static async Task<double?> ValueAsync(HttpClient http, Uri server, string sample) =>
        Value(await http.GetStringAsync(new Uri(server, "metrics")), sample);
}
