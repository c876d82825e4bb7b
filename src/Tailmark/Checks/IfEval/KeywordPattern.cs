using System.Text;
using System.Text.RegularExpressions;

namespace Tailmark.Checks.IfEval;

/// <summary>
/// A case-insensitive keyword regular expression with a literal pre-filter: when the keyword is plain ASCII
/// (letters, digits, spaces, with optional \b around it) and the response is ASCII, a response that does not
/// contain the literal cannot match, so the regular expression is skipped. The pre-filter never changes a
/// verdict; it only avoids work (most responses lack most keywords).
/// </summary>
internal sealed class KeywordPattern
{
    private readonly Regex _regex;
    private readonly string? _literal;

    public KeywordPattern(Regex regex, string keyword)
    {
        _regex = regex;
        _literal = keyword.Length > 0 && keyword.All(c => char.IsAsciiLetterOrDigit(c) || c == ' ') ? keyword : null;
    }

    private bool CannotMatch(string text) =>
        _literal is not null && Ascii.IsValid(text) && !text.Contains(_literal, StringComparison.OrdinalIgnoreCase);

    public bool IsMatch(string text) => !CannotMatch(text) && _regex.IsMatch(text);

    public int Count(string text) => CannotMatch(text) ? 0 : _regex.Count(text);
}
