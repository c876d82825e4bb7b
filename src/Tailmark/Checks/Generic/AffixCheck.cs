using Tailmark.Checks.Text;

namespace Tailmark.Checks.Generic;

/// <summary>
/// <c>starts_with</c> / <c>ends_with</c>: the response, trimmed of surrounding white space, starts or ends with
/// the text (ignoring case unless <c>case_sensitive</c> is true).
/// </summary>
internal sealed class AffixCheck(string type, string text, bool caseSensitive) : ICheck
{
    public string Type => type;

    public bool IsFollowed(string response)
    {
        var v = PyText.Strip(response);
        var comparison = caseSensitive ? StringComparison.Ordinal : StringComparison.OrdinalIgnoreCase;
        return type == "starts_with" ? v.StartsWith(text, comparison) : v.EndsWith(text, comparison);
    }
}
