using System.Text.Json;
using System.Text.RegularExpressions;
using Tailmark.Checks.Generic;
using Tailmark.Checks.IfEval;
using Tailmark.Checks.Text;
using Tailmark.Io;

namespace Tailmark.Checks;

/// <summary>
/// Builds a check from its type and parameters (IFEval's kwargs for IFEval types). Every missing, mistyped or
/// unknown parameter is reported with its field path; the result is null when any was.
/// </summary>
public static class CheckFactory
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(2);

    public static ICheck? Create(string type, IReadOnlyDictionary<string, JsonElement> parameters, IssueLog log, string path = "")
    {
        var errorsBefore = log.Issues.Count(i => i.IsError);
        var p = new CheckParameters(parameters, log, path);
        ICheck? check = type switch
        {
            "keywords:existence" => new KeywordsExistence(p.Strings("keywords").Select(k => Keyword(p, "keywords", k)).ToList()),
            "keywords:frequency" => new KeywordFrequency(Keyword(p, "keyword", p.String("keyword").Trim()), p.Int("frequency", 0), p.Relation("relation")),
            "keywords:forbidden_words" => new ForbiddenWords(p.Strings("forbidden_words").Distinct().Order(StringComparer.Ordinal)
                .Select(w => new KeywordPattern(p.Pattern("forbidden_words", @"\b" + w + @"\b", Ignore) ?? Never, w)).ToList()),
            "keywords:letter_frequency" => Letter(p),
            "language:response_language" => new ResponseLanguage(p.String("language")),
            "length_constraints:number_sentences" => new NumberOfSentences(p.Int("num_sentences", 0), p.Relation("relation")),
            "length_constraints:number_paragraphs" => new NumberOfParagraphs(p.Int("num_paragraphs", 0)),
            "length_constraints:number_words" => new NumberOfWords(p.Int("num_words", 0), p.Relation("relation")),
            "length_constraints:nth_paragraph_first_word" => Nth(p),
            "detectable_content:number_placeholders" => new PlaceholderCount(p.Int("num_placeholders", 0)),
            "detectable_content:postscript" => Postscript(p),
            "detectable_format:number_bullet_lists" => new BulletListCount(p.Int("num_bullets", 0)),
            "detectable_format:constrained_response" => new ConstrainedResponse(),
            "detectable_format:number_highlighted_sections" => new HighlightedSections(p.Int("num_highlights", 0)),
            "detectable_format:multiple_sections" => Sections(p),
            "detectable_format:json_format" => new JsonFormat(),
            "detectable_format:title" => new Title(),
            "combination:two_responses" => new TwoResponses(),
            "combination:repeat_prompt" => new RepeatPrompt(p.String("prompt_to_repeat")),
            "startend:end_checker" => new EndChecker(p.String("end_phrase").Trim()),
            "startend:quotation" => new Quotation(),
            "change_case:capital_word_frequency" => new CapitalWordFrequency(p.Int("capital_frequency", 0), p.Relation("capital_relation")),
            "change_case:english_capital" => new EnglishCapital(),
            "change_case:english_lowercase" => new EnglishLowercase(),
            "punctuation:no_comma" => new NoComma(),
            "regex_match" or "regex_no_match" => Regex(type, p),
            "word_count" or "sentence_count" or "paragraph_count" or "char_count" => Range(type, p),
            "valid_json" => new ValidJsonCheck(p.Has("required_keys") ? p.Strings("required_keys") : []),
            "starts_with" or "ends_with" => new AffixCheck(type, p.String("text"), p.OptionalBool("case_sensitive") ?? false),
            "banned_phrases" => Banned(p),
            _ => null,
        };
        if (check is null)
        {
            log.Error(path.Length == 0 ? "type" : $"{path}.type", $"unknown check type \"{type}\"");
            return null;
        }
        p.RejectUnknown();
        return log.Issues.Count(i => i.IsError) > errorsBefore ? null : check;
    }

    private const RegexOptions Ignore = RegexOptions.IgnoreCase | RegexOptions.CultureInvariant;

    private static readonly Regex Never = new("(?!)", RegexOptions.None, Timeout);

    private static KeywordPattern Keyword(CheckParameters p, string field, string keyword) =>
        new(p.Pattern(field, keyword, Ignore) ?? Never, keyword);

    private static ICheck Letter(CheckParameters p)
    {
        var letter = p.String("letter");
        if (letter.Length > 0 && letter.EnumerateRunes().Count() != 1)
        {
            p.Log.Error($"{p.Path}.letter".TrimStart('.'), $"must be a single character, found \"{letter}\"");
        }
        return new LetterFrequency(PyText.Lower(letter), p.Int("let_frequency", 0), p.Relation("let_relation"));
    }

    private static ICheck Nth(CheckParameters p)
    {
        var num = p.Int("num_paragraphs", 1);
        var nth = p.Int("nth_paragraph", 1);
        if (nth > num && num > 0) p.Log.Error($"{p.Path}.nth_paragraph".TrimStart('.'), $"must not exceed num_paragraphs ({num}), found {nth}");
        return new NthParagraphFirstWord(num, nth, PyText.Lower(p.String("first_word")));
    }

    private static ICheck Postscript(CheckParameters p)
    {
        var marker = p.String("postscript_marker").Trim();
        return new IfEval.Postscript(p.Pattern("postscript_marker", Checks.IfEval.Postscript.PatternFor(marker), RegexOptions.Multiline) ?? Never);
    }

    private static ICheck Sections(CheckParameters p)
    {
        var splitter = p.String("section_spliter").Trim();
        return new MultipleSections(p.Pattern("section_spliter", MultipleSections.PatternFor(splitter), RegexOptions.None) ?? Never, p.Int("num_sections", 0));
    }

    private static ICheck Regex(string type, CheckParameters p)
    {
        var pattern = p.String("pattern");
        RegexOptions options;
        try
        {
            options = RegexCheck.Options(p.OptionalString("flags") ?? "");
        }
        catch (ArgumentException ex)
        {
            p.Log.Error($"{p.Path}.flags".TrimStart('.'), ex.Message);
            options = RegexOptions.None;
        }
        return new RegexCheck(type, p.Pattern("pattern", pattern, options) ?? Never, type == "regex_match");
    }

    private static ICheck Range(string type, CheckParameters p)
    {
        var min = p.OptionalInt("min");
        var max = p.OptionalInt("max");
        if (min is null && max is null) p.Log.Error($"{p.Path}.min".TrimStart('.'), "give min, max or both");
        if (min > max) p.Log.Error($"{p.Path}.max".TrimStart('.'), $"max ({max}) is below min ({min})");
        return new CountRangeCheck(type, min, max);
    }

    private static ICheck Banned(CheckParameters p)
    {
        var phrases = p.Strings("phrases");
        return new BannedPhrasesCheck(p.Pattern("phrases", BannedPhrasesCheck.PatternFor(phrases), Ignore) ?? Never);
    }
}
