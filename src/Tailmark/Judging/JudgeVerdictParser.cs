using System.Globalization;

namespace Tailmark.Judging;

/// <summary>
/// The verdict read from a judge answer (<see cref="VerdictExtractor"/> reads them), P(yes) from the answer's log
/// probabilities, and the clipping every message about an answer uses.
/// </summary>
public static class JudgeVerdictParser
{
    /// <summary>
    /// One criterion's verdict as the judge wrote it. MetOffset is where the boolean literal of "met" stands in the answer
    /// text (for P(yes)); −1 when "met" was written another way ("yes", "Met").
    /// </summary>
    public sealed record Parsed(string Id, bool Met, double? Level, string? Reason, int MetOffset = -1);

    /// <summary>
    /// P(yes) from the log probabilities of the verdict literal ("true"/"false") that stands at METOFFSET in the answer
    /// CONTENT: the tokens are laid over the text in order to find it. Null without log probabilities, when "met" was not
    /// a literal, or when the tokens cannot be laid over the text (a server that splits characters across tokens).
    /// </summary>
    public static double? PYes(IReadOnlyList<Llm.TokenLogprob>? logprobs, string content, int metOffset)
    {
        if (logprobs is null || metOffset < 0) return null;
        var pos = 0;
        foreach (var t in logprobs)
        {
            if (t.Token.Length == 0) continue;
            var at = content.IndexOf(t.Token, pos, StringComparison.Ordinal);
            if (at < 0) return null;
            pos = at + t.Token.Length;
            if (pos <= metOffset) continue;
            if (at > metOffset || t.Token.Trim() is not ("true" or "false")) return null;
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

    /// <summary>
    /// A long answer clipped for a message: its start and its end (where the JSON usually is), so that reasoning
    /// written into the text is never repeated whole.
    /// </summary>
    internal static string ClipAnswer(string text, int head = 200, int tail = 400)
    {
        var t = text.Trim();
        return t.Length <= head + tail + 20 ? t : $"{t[..head]} […{t.Length - head - tail} characters…] {t[^tail..]}";
    }

    internal static string Number(double v) => v.ToString(CultureInfo.InvariantCulture);
}
