using Tailmark.Checks.Text;

namespace Tailmark.Checks.IfEval;

// IFEval's keyword instructions. Keywords are regular expressions searched case-insensitively, as IFEval does.

internal sealed class KeywordsExistence(IReadOnlyList<KeywordPattern> keywords) : ICheck
{
    public string Type => "keywords:existence";
    public bool IsFollowed(string response) => keywords.All(k => k.IsMatch(response));
}

internal sealed class KeywordFrequency(KeywordPattern keyword, int frequency, Relation relation) : ICheck
{
    public string Type => "keywords:frequency";
    public bool IsFollowed(string response) => Compare.Holds(relation, keyword.Count(response), frequency);
}

internal sealed class ForbiddenWords(IReadOnlyList<KeywordPattern> words) : ICheck
{
    public string Type => "keywords:forbidden_words";
    public bool IsFollowed(string response) => !words.Any(w => w.IsMatch(response));
}

/// <summary>Counts the given character literally in the lower-cased response (also for "#" or "!").</summary>
internal sealed class LetterFrequency(string letter, int frequency, Relation relation) : ICheck
{
    public string Type => "keywords:letter_frequency";

    public bool IsFollowed(string response)
    {
        var lower = PyText.Lower(response);
        var count = 0;
        var at = 0;
        while ((at = lower.IndexOf(letter, at, StringComparison.Ordinal)) >= 0)
        {
            count++;
            at += letter.Length;
        }
        return Compare.Holds(relation, count, frequency);
    }
}
