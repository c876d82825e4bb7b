using System.Globalization;
using System.Text.Json;

namespace Tailmark.Judging;

/// <summary>
/// Parses a judge answer strictly: one JSON object (a ``` fence around it is tolerated) with a
/// <c>verdicts</c> list whose entries have an <c>id</c> and a boolean <c>met</c> (or "yes"/"no"), optionally
/// <c>level</c> and <c>reason</c>. Anything else is a parse failure, never a silent "not met".
/// </summary>
public static class JudgeVerdictParser
{
    public sealed record Parsed(string Id, bool Met, double? Level, string? Reason);

    public static Dictionary<string, Parsed>? TryParse(string text)
    {
        var t = Io.JsonText.StripFence(text);
        try
        {
            using var doc = JsonDocument.Parse(t);
            if (doc.RootElement.ValueKind != JsonValueKind.Object || !doc.RootElement.TryGetProperty("verdicts", out var list) || list.ValueKind != JsonValueKind.Array) return null;
            var result = new Dictionary<string, Parsed>(StringComparer.Ordinal);
            foreach (var v in list.EnumerateArray())
            {
                if (v.ValueKind != JsonValueKind.Object || !v.TryGetProperty("id", out var id) || !v.TryGetProperty("met", out var met)) return null;
                var idText = id.ValueKind == JsonValueKind.String ? id.GetString()! : id.GetRawText();
                bool? isMet = met.ValueKind switch
                {
                    JsonValueKind.True => true,
                    JsonValueKind.False => false,
                    JsonValueKind.String when met.GetString() is "yes" or "true" => true,
                    JsonValueKind.String when met.GetString() is "no" or "false" => false,
                    _ => null,
                };
                if (isMet is null) return null;
                double? level = v.TryGetProperty("level", out var l) && l.ValueKind == JsonValueKind.Number ? l.GetDouble() : null;
                var reason = v.TryGetProperty("reason", out var r) && r.ValueKind == JsonValueKind.String ? r.GetString() : null;
                result[idText] = new Parsed(idText, isMet.Value, level, reason);
            }
            return result;
        }
        catch (JsonException)
        {
            return null;
        }
    }

    /// <summary>P(yes) from the log probabilities of the n-th verdict literal ("true"/"false") in the answer.</summary>
    public static double? PYes(IReadOnlyList<Llm.TokenLogprob>? logprobs, int index)
    {
        if (logprobs is null) return null;
        var seen = 0;
        foreach (var t in logprobs)
        {
            if (t.Token.Trim() is not ("true" or "false")) continue;
            if (seen++ != index) continue;
            double? yes = null, no = null;
            foreach (var (token, lp) in t.Top)
            {
                if (token.Trim() == "true") yes = Math.Exp(lp);
                else if (token.Trim() == "false") no = Math.Exp(lp);
            }
            if (yes is null && no is null) return t.Token.Trim() == "true" ? Math.Exp(t.Logprob) : 1 - Math.Exp(t.Logprob);
            var y = yes ?? 0;
            var n = no ?? 0;
            return y + n > 0 ? y / (y + n) : null;
        }
        return null;
    }

    internal static string Clip(string text, int max = 2000) => text.Length <= max ? text : text[..max] + "…";

    internal static string Number(double v) => v.ToString(CultureInfo.InvariantCulture);
}
