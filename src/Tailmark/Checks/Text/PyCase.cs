using System.Globalization;
using System.Text;

namespace Tailmark.Checks.Text;

/// <summary>
/// Python's per-character case tests. Python counts the Unicode properties Other_Uppercase and Other_Lowercase
/// (Roman numerals, circled letters, modifier letters such as ª and ʰ) as cased, where .NET's categories say
/// "letter number" or "other letter"; IFEval's case checks and langdetect's capital-word rule follow Python.
/// </summary>
public static class PyCase
{
    // Other_Uppercase and Other_Lowercase as Python 3.11 (Unicode 14) has them: code point ranges, inclusive.
    private static readonly (int From, int To)[] OtherUpper =
        [(0x2160, 0x216F), (0x24B6, 0x24CF), (0x1F130, 0x1F149), (0x1F150, 0x1F169), (0x1F170, 0x1F189)];

    private static readonly (int From, int To)[] OtherLower =
    [
        (0xAA, 0xAA), (0xBA, 0xBA), (0x2B0, 0x2B8), (0x2C0, 0x2C1), (0x2E0, 0x2E4), (0x345, 0x345), (0x37A, 0x37A),
        (0x1D2C, 0x1D6A), (0x1D78, 0x1D78), (0x1D9B, 0x1DBF), (0x2071, 0x2071), (0x207F, 0x207F), (0x2090, 0x209C),
        (0x2170, 0x217F), (0x24D0, 0x24E9), (0x2C7C, 0x2C7D), (0xA69C, 0xA69D), (0xA770, 0xA770), (0xA7F8, 0xA7F9),
        (0xAB5C, 0xAB5F), (0x10780, 0x10780), (0x10783, 0x10785), (0x10787, 0x107B0), (0x107B2, 0x107BA),
    ];

    /// <summary>Python's <c>ch.isupper()</c> for one code point.</summary>
    public static bool IsUpper(int codePoint)
    {
        if (codePoint < 128) return codePoint is >= 'A' and <= 'Z';
        return Category(codePoint) == UnicodeCategory.UppercaseLetter || In(OtherUpper, codePoint);
    }

    /// <summary>Python's <c>ch.islower()</c> for one code point.</summary>
    public static bool IsLower(int codePoint)
    {
        if (codePoint < 128) return codePoint is >= 'a' and <= 'z';
        return Category(codePoint) == UnicodeCategory.LowercaseLetter || In(OtherLower, codePoint);
    }

    /// <summary>Titlecase letters (ǅ, ᾈ): cased, but neither upper nor lower, so they fail both string tests.</summary>
    public static bool IsTitle(int codePoint) => codePoint >= 128 && Category(codePoint) == UnicodeCategory.TitlecaseLetter;

    private static UnicodeCategory Category(int codePoint) =>
        Rune.IsValid(codePoint) ? Rune.GetUnicodeCategory(new Rune(codePoint)) : UnicodeCategory.OtherNotAssigned;

    private static bool In((int From, int To)[] ranges, int codePoint)
    {
        foreach (var (from, to) in ranges)
        {
            if (codePoint < from) return false;
            if (codePoint <= to) return true;
        }
        return false;
    }
}
