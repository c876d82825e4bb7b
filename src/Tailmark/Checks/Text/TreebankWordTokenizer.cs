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
        (R01(), "``"),
        (R02(), " $1 "),
        (R03(), "$1 `` "),
        (R04(), "$1 $2"),
        (R05(), "$1 $2 $3 "),
        (R06(), " $1 $2"),
        (R07(), " $1 "),
        (R08(), " $0 "),
        (R09(), " $0 "),
        (R10(), " $0 "),
        (R11(), "$1 ' "),
        (R12(), " $0 "),
        (R13(), " $0 "),
        (R14(), " -- "),
    ];

    // Applied after the text is padded with a space at each end: closing quotes, clitics, fused forms.
    private static readonly (Regex Pattern, string Replacement)[] After =
    [
        (R15(), " $1 "),
        (R16(), " '' "),
        (R17(), " '' "),
        (R18(), "$1 $2 "),
        (R19(), "$1 $2 "),
        (R20(), " $1 $2 "),
        (R21(), " $1 $2 "),
        (R22(), " $1 $2 "),
        (R23(), " $1 $2 "),
        (R24(), " $1 $2 "),
        (R25(), " $1 $2 "),
        (R26(), " $1 $2 "),
        (R27(), " $1 $2 "),
        (R28(), " $1 $2 "),
        (R29(), " $1 $2 "),
    ];

    [GeneratedRegex(@"^\""")]
    private static partial Regex R01();

    [GeneratedRegex(@"(``)")]
    private static partial Regex R02();

    [GeneratedRegex(@"([ \(\[{<])(\""|\'{2})")]
    private static partial Regex R03();

    [GeneratedRegex(@"(?i)(\')(?!re|ve|ll|m|t|s|d|n)(\w)\b")]
    private static partial Regex R04();

    [GeneratedRegex(@"([^\.])(\.)([\]\)}>""\']*)\s*$")]
    private static partial Regex R05();

    [GeneratedRegex(@"([:,])([^\d])")]
    private static partial Regex R06();

    [GeneratedRegex(@"([:,])$")]
    private static partial Regex R07();

    [GeneratedRegex(@"\.{2,}")]
    private static partial Regex R08();

    [GeneratedRegex(@"[;@#$%&]")]
    private static partial Regex R09();

    [GeneratedRegex(@"[?!]")]
    private static partial Regex R10();

    [GeneratedRegex(@"([^'])' ")]
    private static partial Regex R11();

    [GeneratedRegex(@"[*]")]
    private static partial Regex R12();

    [GeneratedRegex(@"[\]\[\(\)\{\}\<\>]")]
    private static partial Regex R13();

    [GeneratedRegex(@"--")]
    private static partial Regex R14();

    [GeneratedRegex(@"([»”’])")]
    private static partial Regex R15();

    [GeneratedRegex(@"''")]
    private static partial Regex R16();

    [GeneratedRegex(@"""")]
    private static partial Regex R17();

    [GeneratedRegex(@"([^' ])('[sS]|'[mM]|'[dD]|') ")]
    private static partial Regex R18();

    [GeneratedRegex(@"([^' ])('ll|'LL|'re|'RE|'ve|'VE|n't|N'T) ")]
    private static partial Regex R19();

    [GeneratedRegex(@"(?i)\b(can)(not)\b")]
    private static partial Regex R20();

    [GeneratedRegex(@"(?i)\b(d)('ye)\b")]
    private static partial Regex R21();

    [GeneratedRegex(@"(?i)\b(gim)(me)\b")]
    private static partial Regex R22();

    [GeneratedRegex(@"(?i)\b(gon)(na)\b")]
    private static partial Regex R23();

    [GeneratedRegex(@"(?i)\b(got)(ta)\b")]
    private static partial Regex R24();

    [GeneratedRegex(@"(?i)\b(lem)(me)\b")]
    private static partial Regex R25();

    [GeneratedRegex(@"(?i)\b(more)('n)\b")]
    private static partial Regex R26();

    [GeneratedRegex(@"(?i)\b(wan)(na)(?=\s)")]
    private static partial Regex R27();

    [GeneratedRegex(@"(?i) ('t)(is)\b")]
    private static partial Regex R28();

    [GeneratedRegex(@"(?i) ('t)(was)\b")]
    private static partial Regex R29();

    public static List<string> Tokenize(string text)
    {
        var s = text;
        foreach (var (pattern, replacement) in Before) s = pattern.Replace(s, replacement);
        s = " " + s + " ";
        foreach (var (pattern, replacement) in After) s = pattern.Replace(s, replacement);
        return PyText.SplitWhitespace(s);
    }

    /// <summary>How many tokens are all capitals (Python's <c>str.isupper</c>).</summary>
    public static int CountCapitalWords(string text) => Tokenize(text).Count(PyText.IsUpper);
}
