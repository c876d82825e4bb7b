using System.Collections.Frozen;

namespace Tailmark.Checks;

/// <summary>
/// The names of every check type a verifiable criterion may use: the 25 IFEval instruction ids (with IFEval's
/// kwargs as parameters) and Tailmark's generic checks. Validation rejects any other type.
/// </summary>
public static class CheckCatalog
{
    public static readonly FrozenSet<string> IfEvalInstructions = new[]
    {
        "keywords:existence", "keywords:frequency", "keywords:forbidden_words", "keywords:letter_frequency",
        "language:response_language",
        "length_constraints:number_sentences", "length_constraints:number_paragraphs",
        "length_constraints:number_words", "length_constraints:nth_paragraph_first_word",
        "detectable_content:number_placeholders", "detectable_content:postscript",
        "detectable_format:number_bullet_lists", "detectable_format:constrained_response",
        "detectable_format:number_highlighted_sections", "detectable_format:multiple_sections",
        "detectable_format:json_format", "detectable_format:title",
        "combination:two_responses", "combination:repeat_prompt",
        "startend:end_checker", "startend:quotation",
        "change_case:capital_word_frequency", "change_case:english_capital", "change_case:english_lowercase",
        "punctuation:no_comma",
    }.ToFrozenSet(StringComparer.Ordinal);

    public static readonly FrozenSet<string> Generic = new[]
    {
        "regex_match", "regex_no_match", "word_count", "sentence_count", "paragraph_count", "char_count",
        "valid_json", "starts_with", "ends_with", "banned_phrases",
    }.ToFrozenSet(StringComparer.Ordinal);

    public static bool IsKnown(string type) => IfEvalInstructions.Contains(type) || Generic.Contains(type);

    public static IEnumerable<string> All => IfEvalInstructions.Concat(Generic).Order(StringComparer.Ordinal);
}
