using System.Globalization;

namespace Tailmark.Sim;

/// <summary>Parses "key=value,key=value" option strings, naming the bad key or value in its error.</summary>
internal static class SpecParser
{
    public static Dictionary<string, string> Parse(string spec, string what, IReadOnlyCollection<string> keys)
    {
        var result = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var part in spec.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var eq = part.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0) throw new FormatException($"{what}: '{part}' is not key=value");
            var key = part[..eq].Trim();
            if (!keys.Contains(key, StringComparer.OrdinalIgnoreCase)) throw new FormatException($"{what}: unknown key '{key}' " +
                $"(expected {string.Join(", ", keys)})");
            result[key] = part[(eq + 1)..].Trim();
        }
        return result;
    }

    public static double Rate(Dictionary<string, string> values, string key, string what)
    {
        if (!values.TryGetValue(key, out var text)) return 0;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            || v is < 0 or > 1) throw new FormatException($"{what}: {key} must be a rate in [0,1], not '{text}'");
        return v;
    }

    public static double Positive(Dictionary<string, string> values, string key, double fallback, string what)
    {
        if (!values.TryGetValue(key, out var text)) return fallback;
        if (!double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v) || !(v > 0)
            || double.IsInfinity(v)) throw new FormatException($"{what}: {key} must be a positive number, not '{text}'");
        return v;
    }
}
