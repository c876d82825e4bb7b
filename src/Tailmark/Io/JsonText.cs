namespace Tailmark.Io;

/// <summary>Helpers for JSON that models write.</summary>
public static class JsonText
{
    /// <summary>Removes a Markdown code fence (```json … ```) around a model's JSON answer, if there is one.</summary>
    public static string StripFence(string text)
    {
        var t = text.Trim();
        if (!t.StartsWith("```", StringComparison.Ordinal)) return t;
        var nl = t.IndexOf('\n', StringComparison.Ordinal);
        t = nl < 0 ? "" : t[(nl + 1)..];
        if (t.EndsWith("```", StringComparison.Ordinal)) t = t[..^3];
        return t;
    }
}
