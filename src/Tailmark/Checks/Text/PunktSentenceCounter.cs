using System.Text;
using System.Text.RegularExpressions;

namespace Tailmark.Checks.Text;

/// <summary>
/// Counts sentences the way IFEval does (NLTK's Punkt tokenizer with its English parameters): candidate
/// boundaries are ".", "?" or "!" followed by white space and a token or by closing punctuation; a token
/// ending in a period breaks unless it is a known abbreviation; initials, ordinals/numbers, abbreviations and
/// ellipses are reconsidered from the case of the next word. Punkt's trained English tables are not available
/// here, so the abbreviation list and the "seen in lower case" word list are our own approximations
/// (docs/checks.md states the limits).
/// </summary>
public static partial class PunktSentenceCounter
{
    private const string NonWord = @"(?:[)"";}\]\*:@'\({\[!?])";
    private const string MultiChar = @"(?:\-{2,}|\.{2,}|(?:\.\s){2,}\.)";

    [GeneratedRegex(MultiChar + @"|(?=[^\(""`{\[:;&\#\*@\)}\]\-,])\S+?(?=\s|$|" + NonWord + "|" + MultiChar +
        @"|,(?=$|\s|" + NonWord + "|" + MultiChar + @"))|\S")]
    private static partial Regex WordToken();

    [GeneratedRegex(@"[\.\?!](?=(?<after>" + NonWord + @"|\s+(?<next>\S+)))")]
    private static partial Regex PeriodContext();

    [GeneratedRegex(@"\G[""')\]}]+?(?:\s+|(?=--)|$)", RegexOptions.Multiline)]
    private static partial Regex Realignment();

    [GeneratedRegex(@"^-?[\.,]?\d[\d,\.-]*\.?$")]
    private static partial Regex NumberType();

    /// <summary>Punkt's ellipsis: two or more periods and nothing else.</summary>
    private static bool IsEllipsis(string tok) => tok.Length >= 2 && tok.AsSpan().IndexOfAnyExcept('.') < 0;

    /// <summary>Punkt's initial: one word character that is not a decimal digit, then a period.</summary>
    private static bool IsInitial(string tok)
    {
        if (tok.Length is < 2 or > 3 || tok[^1] != '.') return false;
        if (Rune.DecodeFromUtf16(tok.AsSpan(0, tok.Length - 1), out var r, out var used) != System.Buffers.OperationStatus.Done
            || used != tok.Length - 1) return false;
        return PyText.IsWordChar(r) && Rune.GetUnicodeCategory(r) != System.Globalization.UnicodeCategory.DecimalDigitNumber;
    }

    /// <summary>The number of sentences Punkt finds in <paramref name="text"/>.</summary>
    public static int Count(string text)
    {
        // Each break closes the slice [lastBreak, boundary]; the last slice runs to the end of the text less its
        // trailing white space. Then Punkt's realignment moves closing quotes and brackets that open a slice
        // back into the previous one, and keeps only non-empty slices.
        var slices = new List<(int Start, int End)>();
        var lastBreak = 0;
        foreach (var (match, context) in PotentialEnds(text))
        {
            if (!ContainsBreak(context)) continue;
            slices.Add((lastBreak, match.Index + 1));
            lastBreak = match.Groups["next"].Success ? match.Groups["next"].Index : match.Index + 1;
        }
        slices.Add((lastBreak, RStripLength(text)));
        var count = 0;
        var realign = 0;
        for (var i = 0; i < slices.Count; i++)
        {
            var start = slices[i].Start + realign;
            var end = slices[i].End;
            if (i + 1 == slices.Count)
            {
                if (end > start) count++;
                continue;
            }
            var next = slices[i + 1];
            var m = Realignment().Match(text[next.Start..Math.Max(next.Start, next.End)]);
            if (m.Success && m.Index == 0)
            {
                count++;
                realign = m.Length;
            }
            else
            {
                realign = 0;
                if (end > start) count++;
            }
        }
        return count;
    }

    private static int RStripLength(string text)
    {
        var end = text.Length;
        while (end > 0 && PyText.IsSpace(text[end - 1])) end--;
        return end;
    }

    /// <summary>Candidate boundaries with their context: the word before, the boundary char and what follows.</summary>
    private static IEnumerable<(Match Match, string Context)> PotentialEnds(string text)
    {
        Match? previous = null;
        int prevWordStart = 0, prevWordEnd = 0;
        foreach (Match m in PeriodContext().Matches(text))
        {
            var before = text[prevWordEnd..m.Index];
            var lastSpace = LastWhitespace(before);
            var wordStart = lastSpace > 0 ? prevWordEnd + lastSpace + 1 : prevWordStart;
            if (previous is not null && prevWordEnd <= wordStart)
            {
                yield return (previous, text[prevWordStart..prevWordEnd] + previous.Value + previous.Groups["after"].Value);
            }
            previous = m;
            prevWordStart = wordStart;
            prevWordEnd = m.Index;
        }
        if (previous is not null)
        {
            yield return (previous, text[prevWordStart..prevWordEnd] + previous.Value + previous.Groups["after"].Value);
        }
    }

    // Punkt's helper returns 0 both for "no white space" and "white space at index 0"; the quirk is kept.
    private static int LastWhitespace(string s)
    {
        for (var i = s.Length - 1; i >= 0; i--)
        {
            if (PyText.IsSpace(s[i])) return i;
        }
        return 0;
    }

    private static bool ContainsBreak(string context)
    {
        var tokens = Tokenize(context);
        Annotate(tokens);
        var found = false;
        foreach (var t in tokens)
        {
            if (found) return true;
            if (t.SentBreak) found = true;
        }
        return false;
    }

    private static List<PunktToken> Tokenize(string text)
    {
        var tokens = new List<PunktToken>();
        if (!text.Contains('\n', StringComparison.Ordinal))
        {
            foreach (var m in WordToken().EnumerateMatches(text)) tokens.Add(new PunktToken(text.Substring(m.Index, m.Length)));
            return tokens;
        }
        foreach (var line in text.Split('\n'))
        {
            if (PyText.Strip(line).Length == 0) continue;
            foreach (var m in WordToken().EnumerateMatches(line)) tokens.Add(new PunktToken(line.Substring(m.Index, m.Length)));
        }
        return tokens;
    }

    private static void Annotate(List<PunktToken> tokens)
    {
        foreach (var t in tokens) FirstPass(t);
        for (var i = 0; i + 1 < tokens.Count; i++) SecondPass(tokens[i], tokens[i + 1]);
    }

    private static void FirstPass(PunktToken t)
    {
        var tok = t.Tok;
        if (tok is "." or "?" or "!") t.SentBreak = true;
        else if (IsEllipsis(tok)) t.IsEllipsis = true;
        else if (tok.EndsWith('.') && !tok.EndsWith("..", StringComparison.Ordinal))
        {
            var stem = PyText.Lower(tok[..^1]);
            var lastPart = stem.LastIndexOf('-') is var dash and >= 0 ? stem[(dash + 1)..] : stem;
            if (PunktEnglish.Abbreviations.Contains(stem) || PunktEnglish.Abbreviations.Contains(lastPart)) t.Abbr = true;
            else t.SentBreak = true;
        }
    }

    private static void SecondPass(PunktToken t1, PunktToken t2)
    {
        if (!t1.Tok.EndsWith('.')) return;
        var typ = t1.TypeNoPeriod;
        var isInitial = IsInitial(t1.Tok);
        if ((t1.Abbr || t1.IsEllipsis) && !isInitial)
        {
            var starter = Ortho(t2);
            if (starter == true || (t2.FirstUpper && PunktEnglish.SentenceStarters.Contains(t2.TypeNoSentPeriod)))
            {
                t1.SentBreak = true;
                return;
            }
        }
        if (isInitial || typ == "##number##")
        {
            var starter = Ortho(t2);
            if (starter == false)
            {
                t1.SentBreak = false;
                t1.Abbr = true;
                return;
            }
            if (starter is null && isInitial && t2.FirstUpper && !PunktEnglish.SeenLowercase(t2.TypeNoSentPeriod))
            {
                t1.SentBreak = false;
                t1.Abbr = true;
            }
        }
    }

    /// <summary>Punkt's orthographic heuristic: true = starts a sentence, false = does not, null = unknown.</summary>
    private static bool? Ortho(PunktToken t)
    {
        if (t.Tok is ";" or ":" or "," or "." or "!" or "?") return false;
        var lower = PunktEnglish.SeenLowercase(t.TypeNoSentPeriod);
        if (t.FirstUpper && lower) return true;
        if (t.FirstLower) return false; // seen capitalized, or never seen lower case at a sentence start
        return null;
    }

    private sealed class PunktToken(string tok)
    {
        public string Tok { get; } = tok;
        public bool SentBreak { get; set; }
        public bool Abbr { get; set; }
        public bool IsEllipsis { get; set; }
        public bool FirstUpper => Tok.Length > 0 && char.IsUpper(Tok[0]);
        public bool FirstLower => Tok.Length > 0 && char.IsLower(Tok[0]);

        private string? _type;

        private string Type => _type ??= NumberType().IsMatch(Tok) ? "##number##" : PyText.Lower(Tok);

        public string TypeNoPeriod
        {
            get
            {
                var type = Type;
                return type.Length > 1 && type.EndsWith('.') ? type[..^1] : type;
            }
        }

        public string TypeNoSentPeriod => SentBreak ? TypeNoPeriod : Type;
    }
}
