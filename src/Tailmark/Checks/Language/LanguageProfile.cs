using System.Collections.Frozen;

namespace Tailmark.Checks.Language;

/// <summary>
/// One language's compact model: its most frequent function words (one point per occurrence) and strings that
/// are typical of it within its script — letters or affixes — with a weight per occurrence.
/// </summary>
public sealed record LanguageProfile(string Code, Script Script, FrozenSet<string> FunctionWords, IReadOnlyList<(string Text, double Weight)> Marks)
{
    public static LanguageProfile Create(string code, Script script, string words, params (string Text, double Weight)[] marks) =>
        new(code, script, words.Split(' ', StringSplitOptions.RemoveEmptyEntries).ToFrozenSet(StringComparer.Ordinal), marks);

    /// <summary>The weight of this language's marks in a lower-cased text.</summary>
    public double MarkScore(string lowerText, bool asciiText)
    {
        double score = 0;
        foreach (var (text, weight) in Marks)
        {
            if (asciiText && !System.Text.Ascii.IsValid(text)) continue; // cannot occur in an ASCII text
            var at = 0;
            while ((at = lowerText.IndexOf(text, at, StringComparison.Ordinal)) >= 0)
            {
                score += weight;
                at += text.Length;
            }
        }
        return score;
    }
}
