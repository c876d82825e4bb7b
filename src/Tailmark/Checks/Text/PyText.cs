using System.Globalization;
using System.Text;

namespace Tailmark.Checks.Text;

/// <summary>
/// String operations with Python 3's semantics, because IFEval's verdicts are defined by what its Python code
/// does: <c>str.isspace</c> (which, unlike .NET, counts U+001C–U+001F), <c>strip</c>, <c>split()</c>,
/// <c>isupper</c>/<c>islower</c>, and the <c>\w</c> of <c>re</c> (letters and numbers of every script and "_",
/// but not combining marks, which .NET's <c>\w</c> includes).
/// </summary>
public static class PyText
{
    /// <summary>A regex character class equal to Python's <c>\s</c> for str patterns.</summary>
    public const string SpaceClass = @"[\s\x1c-\x1f]";

    public static bool IsSpace(char c) => char.IsWhiteSpace(c) || c is >= '\x1c' and <= '\x1f';

    /// <summary>Python's <c>\w</c>: str.isalnum() or "_" (letters Lu/Ll/Lt/Lm/Lo and numbers Nd/Nl/No).</summary>
    public static bool IsWordChar(Rune r)
    {
        if (r.Value == '_') return true;
        return Rune.GetUnicodeCategory(r) switch
        {
            UnicodeCategory.UppercaseLetter or UnicodeCategory.LowercaseLetter or UnicodeCategory.TitlecaseLetter or
            UnicodeCategory.ModifierLetter or UnicodeCategory.OtherLetter or UnicodeCategory.DecimalDigitNumber or
            UnicodeCategory.LetterNumber or UnicodeCategory.OtherNumber => true,
            _ => false,
        };
    }

    /// <summary><c>str.strip()</c>.</summary>
    public static string Strip(string s)
    {
        int start = 0, end = s.Length;
        while (start < end && IsSpace(s[start])) start++;
        while (end > start && IsSpace(s[end - 1])) end--;
        return start == 0 && end == s.Length ? s : s[start..end];
    }

    /// <summary><c>str.strip(chars)</c>.</summary>
    public static string Strip(string s, string chars)
    {
        int start = 0, end = s.Length;
        while (start < end && chars.Contains(s[start], StringComparison.Ordinal)) start++;
        while (end > start && chars.Contains(s[end - 1], StringComparison.Ordinal)) end--;
        return s[start..end];
    }

    public static string LStrip(string s, string chars)
    {
        var start = 0;
        while (start < s.Length && chars.Contains(s[start], StringComparison.Ordinal)) start++;
        return s[start..];
    }

    public static string RStrip(string s, string chars)
    {
        var end = s.Length;
        while (end > 0 && chars.Contains(s[end - 1], StringComparison.Ordinal)) end--;
        return s[..end];
    }

    /// <summary><c>str.split()</c> with no separator: runs of white space, no empty strings.</summary>
    public static List<string> SplitWhitespace(string s)
    {
        var parts = new List<string>();
        var i = 0;
        while (i < s.Length)
        {
            while (i < s.Length && IsSpace(s[i])) i++;
            var start = i;
            while (i < s.Length && !IsSpace(s[i])) i++;
            if (i > start) parts.Add(s[start..i]);
        }
        return parts;
    }

    /// <summary><c>str.lower()</c> (invariant simple case mapping, as Python uses for all but a few letters).</summary>
    public static string Lower(string s) => s.ToLowerInvariant();

    /// <summary><c>str.isupper()</c>: at least one cased character and no lowercase or titlecase one.</summary>
    public static bool IsUpper(string s)
    {
        var cased = false;
        foreach (var r in s.EnumerateRunes())
        {
            if (PyCase.IsLower(r.Value) || PyCase.IsTitle(r.Value)) return false;
            cased |= PyCase.IsUpper(r.Value);
        }
        return cased;
    }

    /// <summary><c>str.islower()</c>: at least one cased character and no uppercase or titlecase one.</summary>
    public static bool IsLower(string s)
    {
        var cased = false;
        foreach (var r in s.EnumerateRunes())
        {
            if (PyCase.IsUpper(r.Value) || PyCase.IsTitle(r.Value)) return false;
            cased |= PyCase.IsLower(r.Value);
        }
        return cased;
    }

    /// <summary>The number of <c>\w+</c> runs (IFEval's word count, nltk's RegexpTokenizer(r"\w+")).</summary>
    public static int CountWords(string s)
    {
        var count = 0;
        var inWord = false;
        foreach (var r in s.EnumerateRunes())
        {
            var w = r.Value < 128 ? char.IsAsciiLetterOrDigit((char)r.Value) || r.Value == '_' : IsWordChar(r);
            if (w && !inWord) count++;
            inWord = w;
        }
        return count;
    }

    /// <summary>Python's <c>str.startswith</c> / <c>endswith</c> are ordinal.</summary>
    public static bool StartsWith(string s, string prefix) => s.StartsWith(prefix, StringComparison.Ordinal);

    public static bool EndsWith(string s, string suffix) => s.EndsWith(suffix, StringComparison.Ordinal);

    public static string RemovePrefix(string s, string prefix) => s.StartsWith(prefix, StringComparison.Ordinal) ? s[prefix.Length..] : s;

    public static string RemoveSuffix(string s, string suffix) => suffix.Length > 0 && s.EndsWith(suffix, StringComparison.Ordinal) ? s[..^suffix.Length] : s;
}
