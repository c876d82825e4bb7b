using Tailmark.Checks.Language;
using Tailmark.Checks.Text;

namespace Tailmark.Checks.IfEval;

/// <summary>All capitals and English. A text with no letters to identify counts as followed, as in IFEval.</summary>
internal sealed class EnglishCapital : ICheck
{
    public string Type => "change_case:english_capital";
    public bool IsFollowed(string response) => PyText.IsUpper(response) && LanguageDetector.Detect(response) is null or "en";
}

/// <summary>All lower case and English. A text with no letters to identify counts as followed, as in IFEval.</summary>
internal sealed class EnglishLowercase : ICheck
{
    public string Type => "change_case:english_lowercase";
    public bool IsFollowed(string response) => PyText.IsLower(response) && LanguageDetector.Detect(response) is null or "en";
}

/// <summary>The number of all-capital word tokens compared with a threshold.</summary>
internal sealed class CapitalWordFrequency(int frequency, Relation relation) : ICheck
{
    public string Type => "change_case:capital_word_frequency";
    public bool IsFollowed(string response) => Compare.Holds(relation, TreebankWordTokenizer.CountCapitalWords(response), frequency);
}

/// <summary>The response is in the given language. A text with no letters to identify counts as followed, as in IFEval.</summary>
internal sealed class ResponseLanguage(string language) : ICheck
{
    public string Type => "language:response_language";
    public bool IsFollowed(string response) => LanguageDetector.Detect(response) is not { } found || found == language;
}
