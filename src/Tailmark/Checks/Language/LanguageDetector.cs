using System.Globalization;
using System.Text;

namespace Tailmark.Checks.Language;

/// <summary>
/// Identifies the language of a text without any external service, for the languages IFEval asks for.
/// Step 1: the script that holds most letters. Scripts used by one language (Thai, Hangul, kana, Hebrew,
/// Greek, Bengali, Gurmukhi, Gujarati, Tamil, Telugu, Kannada, Malayalam) decide alone. Step 2: within a
/// shared script (Latin, Cyrillic, Arabic, Devanagari), a compact model scores each candidate language by its
/// most frequent function words and its distinctive letters (<see cref="LanguageProfiles"/>). Returns an
/// ISO 639-1 code; <see cref="Undetermined"/> when the text has letters but too little evidence; null when
/// it has no letters at all (where IFEval's detector raises an error and the check counts as followed). See docs/checks.md.
/// </summary>
public static class LanguageDetector
{
    /// <summary>Fewer function-word hits than this on a Latin or Cyrillic text is too little evidence to name a language.</summary>
    public const int MinimumEvidence = 2;

    /// <summary>The code returned for a text with letters but too little evidence for any language.</summary>
    public const string Undetermined = "und";

    public static string? Detect(string text)
    {
        Span<int> counts = stackalloc int[Enum.GetValues<Script>().Length];
        var any = false;
        foreach (var r in text.EnumerateRunes())
        {
            if (r.Value < 128)
            {
                // ASCII fast path: only letters count, and they are Latin.
                if (char.IsAsciiLetter((char)r.Value))
                {
                    counts[(int)Script.Latin]++;
                    any = true;
                }
                continue;
            }
            if (!Rune.IsLetter(r)) continue;
            var s = Scripts.Of(r);
            if (s == Script.Other) continue;
            counts[(int)s]++;
            any = true;
        }
        if (!any) return null;
        var script = Script.Other;
        for (var i = 1; i < counts.Length; i++)
        {
            if (counts[i] > counts[(int)script]) script = (Script)i;
        }
        return script switch
        {
            Script.Thai => "th",
            Script.Hangul => "ko",
            Script.Kana => "ja",
            Script.Han => counts[(int)Script.Kana] > 0 ? "ja" : "zh-cn",
            Script.Hebrew => "he",
            Script.Greek => "el",
            Script.Bengali => "bn",
            Script.Gurmukhi => "pa",
            Script.Gujarati => "gu",
            Script.Tamil => "ta",
            Script.Telugu => "te",
            Script.Kannada => "kn",
            Script.Malayalam => "ml",
            _ => LanguageProfiles.Best(script, text.ToLowerInvariant()),
        };
    }

    /// <summary>A callback over spans of text.</summary>
    internal delegate void SpanAction(ReadOnlySpan<char> word);

    /// <summary>
    /// Calls <paramref name="action"/> for each word of a lower-cased text (maximal runs of letters, combining
    /// marks, apostrophes and joiners, apostrophes trimmed from the ends) and returns how many there were.
    /// </summary>
    internal static int ForEachWord(string lower, SpanAction action)
    {
        var count = 0;
        var start = -1;
        for (var i = 0; i <= lower.Length; i++)
        {
            var inWord = i < lower.Length && IsWordChar(lower[i]);
            if (inWord)
            {
                if (start < 0) start = i;
                continue;
            }
            if (start < 0) continue;
            var word = lower.AsSpan(start, i - start).Trim("'’");
            start = -1;
            if (word.IsEmpty) continue;
            count++;
            action(word);
        }
        return count;
    }

    private static bool IsWordChar(char c)
    {
        if (c < 128) return char.IsAsciiLetter(c) || c == '\'';
        return char.IsLetter(c) || char.IsSurrogate(c) || c is '’' or '\u200C' or '\u200D' ||
            CharUnicodeInfo.GetUnicodeCategory(c) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark;
    }
}
