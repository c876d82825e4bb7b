using System.Text.RegularExpressions;

namespace Tailmark.Checks.Generic;

/// <summary>
/// <c>banned_phrases</c>: met when none of the phrases occurs, case-insensitively and on word boundaries
/// (so "great question" does not hit "greatest questions"). White space inside a phrase matches any run of
/// white space.
/// </summary>
internal sealed class BannedPhrasesCheck(Regex any) : ICheck
{
    public string Type => "banned_phrases";
    public bool IsFollowed(string response) => !any.IsMatch(response);

    public static string PatternFor(IEnumerable<string> phrases) =>
        string.Join("|", phrases.Select(p =>
            @"(?<!\w)" + string.Join(@"\s+", p.Trim().Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).Select(Regex.Escape)) + @"(?!\w)"));
}
