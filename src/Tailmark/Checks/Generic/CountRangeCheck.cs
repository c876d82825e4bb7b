using Tailmark.Checks.Text;

namespace Tailmark.Checks.Generic;

/// <summary>
/// <c>word_count</c>, <c>sentence_count</c>, <c>paragraph_count</c> and <c>char_count</c>: met when the count
/// lies in [min, max] (either bound optional). Words are \w+ runs, sentences as Punkt counts them,
/// paragraphs are blocks separated by blank lines, characters are Unicode code points.
/// </summary>
internal sealed class CountRangeCheck(string type, int? min, int? max) : ICheck
{
    public string Type => type;

    public bool IsFollowed(string response)
    {
        var n = Count(type, response);
        return (min is null || n >= min) && (max is null || n <= max);
    }

    public static int Count(string type, string text) => type switch
    {
        "word_count" => PyText.CountWords(text),
        "sentence_count" => PunktSentenceCounter.Count(text),
        "paragraph_count" => System.Text.RegularExpressions.Regex.Split(text.ReplaceLineEndings("\n"), @"\n[ \t]*\n").Count(p => PyText.Strip(p).Length > 0),
        _ => text.EnumerateRunes().Count(),
    };
}
