using System.Globalization;

namespace Tailmark.Sim;

/// <summary>
/// The simulated world's tokenizer, simple and documented so that token counts (and hence the capacity
/// model's timings) can be predicted: a token is a run of letters or digits, or a single other non-space
/// character; white space is free. A chat request costs 4 tokens per message plus its content's tokens.
/// </summary>
public static class SimTokenizer
{
    public const int PerMessageOverhead = 4;

    public static int Count(string text) => Tokens(text).Count;

    public static List<string> Tokens(string text)
    {
        var tokens = new List<string>();
        var i = 0;
        while (i < text.Length)
        {
            var c = text[i];
            if (char.IsWhiteSpace(c))
            {
                i++;
                continue;
            }
            var start = i;
            if (char.IsLetterOrDigit(c) || char.IsSurrogate(c))
            {
                while (i < text.Length && (char.IsLetterOrDigit(text[i]) || char.IsSurrogate(text[i]) ||
                    CharUnicodeInfo.GetUnicodeCategory(text[i]) is UnicodeCategory.NonSpacingMark or UnicodeCategory.SpacingCombiningMark)) i++;
            }
            else
            {
                i++;
            }
            tokens.Add(text[start..i]);
        }
        return tokens;
    }

    public static int CountMessages(IEnumerable<(string Role, string Content)> messages) =>
        messages.Sum(m => PerMessageOverhead + Count(m.Role) + Count(m.Content));
}
