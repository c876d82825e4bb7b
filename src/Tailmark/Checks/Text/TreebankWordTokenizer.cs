using System.Text.RegularExpressions;

namespace Tailmark.Checks.Text;

/// <summary>
/// Splits text into word tokens following the published Penn Treebank conventions that NLTK's
/// <c>word_tokenize</c> applies (IFEval counts all-capital words over these tokens): punctuation and brackets
/// are split off, clitics such as n't, 's, 'll, 're, 've, 'd and 'm become their own tokens, fused forms such as
/// "cannot" and "gonna" are split, hyphenated words stay whole.
/// </summary>
public static partial class TreebankWordTokenizer
{
    // Applied to the text as given: opening quotes, punctuation, brackets, dashes.
    private static readonly (Regex Pattern, string Replacement)[] Before =
    [
        (OpeningQuoteAtStart(), "``"),
        (Backticks(), " $1 "),
        (OpeningDoubleQuote(), "$1 `` "),
        (OpeningSingleQuote(), "$1 $2"),
        (ColonOrCommaBeforeNonDigit(), " $1 $2"),
        (ColonOrCommaAtEnd(), " $1 "),
        (Ellipsis(), " $0 "),
        (Symbols(), " $0 "),
        (QuestionOrExclamation(), " $0 "),
        (QuoteBeforeSpace(), "$1 ' "),
        (Asterisk(), " $0 "),
        (Brackets(), " $0 "),
        (DoubleDash(), " -- "),
    ];

    // Applied after the text is padded with a space at each end: closing quotes, clitics, fused forms.
    private static readonly (Regex Pattern, string Replacement)[] After =
    [
        (CurlyClosingQuotes(), " $1 "),
        (TwoSingleQuotes(), " '' "),
        (DoubleQuote(), " '' "),
        (ShortClitics(), "$1 $2 "),
        (LongClitics(), "$1 $2 "),
        (Cannot(), " $1 $2 "),
        (Dye(), " $1 $2 "),
        (Gimme(), " $1 $2 "),
        (Gonna(), " $1 $2 "),
        (Gotta(), " $1 $2 "),
        (Lemme(), " $1 $2 "),
        (Moren(), " $1 $2 "),
        (Wanna(), " $1 $2 "),
        (Tis(), " $1 $2 "),
        (Twas(), " $1 $2 "),
    ];

    [GeneratedRegex(@"^\""")]
    private static partial Regex OpeningQuoteAtStart();

    [GeneratedRegex(@"(``)")]
    private static partial Regex Backticks();

    [GeneratedRegex(@"([ \(\[{<])(\""|\'{2})")]
    private static partial Regex OpeningDoubleQuote();

    [GeneratedRegex(@"(?i)(\')(?!re|ve|ll|m|t|s|d|n)(\w)\b")]
    private static partial Regex OpeningSingleQuote();

    [GeneratedRegex(@"([:,])([^\d])")]
    private static partial Regex ColonOrCommaBeforeNonDigit();

    [GeneratedRegex(@"([:,])$")]
    private static partial Regex ColonOrCommaAtEnd();

    [GeneratedRegex(@"\.{2,}")]
    private static partial Regex Ellipsis();

    [GeneratedRegex(@"[;@#$%&]")]
    private static partial Regex Symbols();

    [GeneratedRegex(@"[?!]")]
    private static partial Regex QuestionOrExclamation();

    [GeneratedRegex(@"([^'])' ")]
    private static partial Regex QuoteBeforeSpace();

    [GeneratedRegex(@"[*]")]
    private static partial Regex Asterisk();

    [GeneratedRegex(@"[\]\[\(\)\{\}\<\>]")]
    private static partial Regex Brackets();

    [GeneratedRegex(@"--")]
    private static partial Regex DoubleDash();

    [GeneratedRegex(@"([»”’])")]
    private static partial Regex CurlyClosingQuotes();

    [GeneratedRegex(@"''")]
    private static partial Regex TwoSingleQuotes();

    [GeneratedRegex(@"""")]
    private static partial Regex DoubleQuote();

    [GeneratedRegex(@"([^' ])('[sS]|'[mM]|'[dD]|') ")]
    private static partial Regex ShortClitics();

    [GeneratedRegex(@"([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) ")]
    private static partial Regex LongClitics();

    [GeneratedRegex(@"(?i)\b(can)(not)\b")]
    private static partial Regex Cannot();

    [GeneratedRegex(@"(?i)\b(d)('ye)\b")]
    private static partial Regex Dye();

    [GeneratedRegex(@"(?i)\b(gim)(me)\b")]
    private static partial Regex Gimme();

    [GeneratedRegex(@"(?i)\b(gon)(na)\b")]
    private static partial Regex Gonna();

    [GeneratedRegex(@"(?i)\b(got)(ta)\b")]
    private static partial Regex Gotta();

    [GeneratedRegex(@"(?i)\b(lem)(me)\b")]
    private static partial Regex Lemme();

    [GeneratedRegex(@"(?i)\b(more)('n)\b")]
    private static partial Regex Moren();

    [GeneratedRegex(@"(?i)\b(wan)(na)(?=\s)")]
    private static partial Regex Wanna();

    [GeneratedRegex(@"(?i) ('t)(is)\b")]
    private static partial Regex Tis();

    [GeneratedRegex(@"(?i) ('t)(was)\b")]
    private static partial Regex Twas();

    private const int OpeningRules = 4;

    /// <summary>
    /// <c>([^\.])(\.)([\]\)}&gt;"\']*)\s*$</c> → <c>"$1 $2 $3 "</c>: a final period (not part of "..") is split
    /// from the word before it and from the closing brackets and quotes after it.
    /// </summary>
    private static string SplitFinalPeriod(string s)
    {
        var end = s.Length;
        while (end > 0 && PyText.IsSpace(s[end - 1])) end--;
        var closers = end;
        while (closers > 0 && s[closers - 1] is ']' or ')' or '}' or '>' or '"' or '\'') closers--;
        if (closers < 2 || s[closers - 1] != '.' || s[closers - 2] == '.') return s;
        return string.Concat(s.AsSpan(0, closers - 1), " . ", s.AsSpan(closers, end - closers), " ");
    }

    public static List<string> Tokenize(string text)
    {
        var s = text;
        for (var i = 0; i < Before.Length; i++)
        {
            s = Before[i].Pattern.Replace(s, Before[i].Replacement);
            // Treebank's final-period rule comes right after the opening-quote rules; it is written by hand
            // because as a regular expression anchored at the end it is tried at every position of the text.
            if (i == OpeningRules - 1) s = SplitFinalPeriod(s);
        }
        s = " " + s + " ";
        foreach (var (pattern, replacement) in After) s = pattern.Replace(s, replacement);
        return PyText.SplitWhitespace(s);
    }

    /// <summary>How many tokens are all capitals (Python's <c>str.isupper</c>).</summary>
    public static int CountCapitalWords(string text) => Tokenize(text).Count(PyText.IsUpper);
}
