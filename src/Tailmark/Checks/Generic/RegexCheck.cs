using System.Text.RegularExpressions;

namespace Tailmark.Checks.Generic;

/// <summary>
/// <c>regex_match</c> (met when the pattern matches somewhere) and <c>regex_no_match</c> (met when it never
/// does). Flags: i (ignore case), m (^ and $ per line), s (. matches new lines), x (ignore pattern white space).
/// </summary>
internal sealed class RegexCheck(string type, Regex pattern, bool mustMatch) : ICheck
{
    public string Type => type;
    public bool IsFollowed(string response) => pattern.IsMatch(response) == mustMatch;

    public static RegexOptions Options(string flags)
    {
        var options = RegexOptions.CultureInvariant;
        foreach (var f in flags)
        {
            options |= f switch
            {
                'i' => RegexOptions.IgnoreCase,
                'm' => RegexOptions.Multiline,
                's' => RegexOptions.Singleline,
                'x' => RegexOptions.IgnorePatternWhitespace,
                _ => throw new ArgumentException($"unknown regex flag '{f}' (expected i, m, s or x)"),
            };
        }
        return options;
    }
}
