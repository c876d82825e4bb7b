using System.Text.RegularExpressions;
using Tailmark.Checks.Text;

namespace Tailmark.Checks.IfEval;

internal sealed class NumberOfWords(int words, Relation relation) : ICheck
{
    public string Type => "length_constraints:number_words";
    public bool IsFollowed(string response) => Compare.Holds(relation, PyText.CountWords(response), words);
}

internal sealed class NumberOfSentences(int sentences, Relation relation) : ICheck
{
    public string Type => "length_constraints:number_sentences";
    public bool IsFollowed(string response) => Compare.Holds(relation, PunktSentenceCounter.Count(response), sentences);
}

/// <summary>Paragraphs separated by "***" (with one optional space around); empty paragraphs only at the ends.</summary>
internal sealed partial class NumberOfParagraphs(int paragraphs) : ICheck
{
    [GeneratedRegex(PyText.SpaceClass + @"?\*\*\*" + PyText.SpaceClass + "?")]
    private static partial Regex Divider();

    public string Type => "length_constraints:number_paragraphs";

    public bool IsFollowed(string response)
    {
        var parts = Divider().Split(response);
        var count = parts.Length;
        for (var i = 0; i < parts.Length; i++)
        {
            if (PyText.Strip(parts[i]).Length > 0) continue;
            if (i == 0 || i == parts.Length - 1) count--;
            else return false;
        }
        return count == paragraphs;
    }
}

/// <summary>Paragraphs separated by "\n\n"; the nth must start with the given word (quotes and punctuation aside).</summary>
internal sealed class NthParagraphFirstWord(int paragraphs, int nth, string firstWord) : ICheck
{
    public string Type => "length_constraints:nth_paragraph_first_word";

    public bool IsFollowed(string response)
    {
        var parts = response.Split("\n\n");
        var count = parts.Count(p => PyText.Strip(p).Length > 0);
        if (nth > count) return false;
        var paragraph = PyText.Strip(parts[nth - 1]);
        if (paragraph.Length == 0) return false;
        var word = PyText.LStrip(PyText.LStrip(PyText.Strip(PyText.SplitWhitespace(paragraph)[0]), "'"), "\"");
        var first = new System.Text.StringBuilder();
        foreach (var ch in word)
        {
            if (ch is '.' or ',' or '?' or '!' or '\'' or '"') break;
            first.Append(ch);
        }
        return count == paragraphs && PyText.Lower(first.ToString()) == firstWord;
    }
}
