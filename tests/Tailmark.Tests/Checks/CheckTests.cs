using System.Text.Json;
using Tailmark.Checks;
using Tailmark.Io;

namespace Tailmark.Tests.Checks;

/// <summary>Each check on inputs whose verdicts follow from IFEval's definitions, worked out by hand.</summary>
public sealed class CheckTests
{
    private static ICheck Make(string type, string kwargsJson = "{}")
    {
        var log = new IssueLog("test");
        var check = CheckFactory.Create(type, JsonFieldReader.ToMap(JsonDocument.Parse(kwargsJson).RootElement), log);
        Assert.True(check is not null, string.Join("; ", log.Issues));
        return check!;
    }

    [Theory]
    [InlineData("one two three", 3, "less than", false)]
    [InlineData("one two", 3, "less than", true)]
    [InlineData("one two three", 3, "at least", true)]
    [InlineData("don't stop-me now_2", 4, "at least", true)] // \w+ runs: don, t, stop, me, now_2 = 5
    [InlineData("नमस्ते", 2, "at least", true)] // combining vowel signs split Python's \w+ runs: न, मस, त = 3
    public void NumberWords_CountsPythonWordRuns(string text, int n, string relation, bool expected) =>
        Assert.Equal(expected, Make("length_constraints:number_words", $$"""{"num_words": {{n}}, "relation": "{{relation}}"}""").IsFollowed(text));

    [Theory]
    [InlineData("One. Two. Three.", 3)]
    [InlineData("Dr. Smith arrived. He sat.", 2)]
    [InlineData("What?! Really.", 2)]
    [InlineData("He said \"Stop.\" Then he left.", 2)]
    [InlineData("Steps:\n1. Mix the flour.\n2. Bake it.", 4)]
    [InlineData("It costs 3.5 dollars. Buy it.", 2)]
    [InlineData("   ", 0)] // the last slice ends before trailing white space, so it is empty
    [InlineData("", 0)]
    public void SentenceCount_FollowsPunktRules(string text, int expected) =>
        Assert.Equal(expected, Tailmark.Checks.Text.PunktSentenceCounter.Count(text));

    [Theory]
    [InlineData("* a\n* b\n- c", 3, true)]
    [InlineData("* a\n** bold\n- c", 3, false)] // "**" is not a bullet
    [InlineData("*a\n*b", 2, true)]
    public void BulletLists_CountsStarAndDashLines(string text, int n, bool expected) =>
        Assert.Equal(expected, Make("detectable_format:number_bullet_lists", $$"""{"num_bullets": {{n}}}""").IsFollowed(text));

    // Single-star spans "*x*" and double-star spans "**x**" are counted separately; empty ones are skipped.
    // "*one* and **two**": single finds "*one*" plus two empty "**" → 1; double finds "**two**" → 1; total 2.
    // "**bold**": single finds only empty "**" twice → 0; double finds "**bold**" → 1; total 1.
    [Theory]
    [InlineData("*one* and **two** and * *", 2, true)]
    [InlineData("*one* and * *", 2, false)]
    [InlineData("**bold**", 2, false)]
    [InlineData("**bold**", 1, true)]
    public void Highlights_CountsNonEmptySpans(string text, int n, bool expected) =>
        Assert.Equal(expected, Make("detectable_format:number_highlighted_sections", $$"""{"num_highlights": {{n}}}""").IsFollowed(text));

    [Theory]
    [InlineData("P.S. see you", "P.S.", true)]
    [InlineData("text\n  p. s. later", "P.S.", true)] // one optional space after each period
    [InlineData("text\n  p. s later", "P.S.", false)] // no period after the s
    [InlineData("text\np.p.s later", "P.P.S", true)]
    [InlineData("no postscript", "P.S.", false)]
    public void Postscript_MatchesMarkerAtLineStart(string text, string marker, bool expected) =>
        Assert.Equal(expected, Make("detectable_content:postscript", $$"""{"postscript_marker": "{{marker}}"}""").IsFollowed(text));

    [Theory]
    [InlineData("```json\n{\"a\": 1}\n```", true)]
    [InlineData("{\"a\": NaN}", true)] // Python's json accepts NaN
    [InlineData("{\"a\": 1,}", false)]
    [InlineData("[1, 2] extra", false)]
    [InlineData("\"just a string\"", true)]
    [InlineData("01", false)]
    public void JsonFormat_AcceptsWhatPythonAccepts(string text, bool expected) =>
        Assert.Equal(expected, Make("detectable_format:json_format").IsFollowed(text));

    [Theory]
    [InlineData("a\n\n***\n\nb\n***\nc", 3, true)]
    [InlineData("***\na\n***\nb\n***", 2, true)] // empty first and last parts are dropped
    [InlineData("a\n***\n***\nb", 2, false)] // an empty middle part fails
    public void Paragraphs_SplitOnDivider(string text, int n, bool expected) =>
        Assert.Equal(expected, Make("length_constraints:number_paragraphs", $$"""{"num_paragraphs": {{n}}}""").IsFollowed(text));

    [Theory]
    [InlineData("Intro\n\n\"Summer, ok\n\nEnd", 3, 2, "summer", true)]
    [InlineData("Intro\n\nWinter\n\nEnd", 3, 2, "summer", false)]
    [InlineData("Intro\n\nSummer", 3, 2, "summer", false)] // wrong paragraph count
    public void NthParagraph_ChecksCountAndFirstWord(string text, int num, int nth, string word, bool expected) =>
        Assert.Equal(expected, Make("length_constraints:nth_paragraph_first_word", $$"""{"num_paragraphs": {{num}}, "nth_paragraph": {{nth}}, "first_word": "{{word}}"}""").IsFollowed(text));

    [Theory]
    [InlineData("SECTION 1 a SECTION 2 b", "SECTION", 2, true)]
    [InlineData("SECTION 1 a Section 2 b", "SECTION", 2, false)] // case-sensitive
    public void Sections_SplitOnSplitterAndNumber(string text, string splitter, int n, bool expected) =>
        Assert.Equal(expected, Make("detectable_format:multiple_sections", $$"""{"section_spliter": "{{splitter}}", "num_sections": {{n}}}""").IsFollowed(text));

    [Theory]
    [InlineData("I DON'T KNOW", 3, "at least", true)] // I, DO, N'T, KNOW = 4
    [InlineData("NASA and the USA", 3, "less than", true)] // 2
    [InlineData("AT&T CANNOT", 4, "at least", true)] // AT, &, T, CAN, NOT: 4 capital tokens
    public void CapitalWords_CountsTreebankTokens(string text, int n, string relation, bool expected) =>
        Assert.Equal(expected, Make("change_case:capital_word_frequency", $$"""{"capital_frequency": {{n}}, "capital_relation": "{{relation}}"}""").IsFollowed(text));

    [Theory]
    [InlineData("Hello there, this is a test.", "punctuation:no_comma", false)]
    [InlineData("\"wrapped\"", "startend:quotation", true)]
    [InlineData("\"", "startend:quotation", false)]
    [InlineData("<<A title>> body", "detectable_format:title", true)]
    [InlineData("<< >> body", "detectable_format:title", false)]
    [InlineData("first ****** second", "combination:two_responses", true)]
    [InlineData("same ****** same", "combination:two_responses", false)]
    [InlineData("Well... My answer is maybe.", "detectable_format:constrained_response", true)]
    public void SimpleChecks_FollowDefinitions(string text, string type, bool expected) =>
        Assert.Equal(expected, Make(type).IsFollowed(text));

    [Theory]
    [InlineData("the cat sat with the hat", "change_case:english_lowercase", true)]
    [InlineData("THE CAT SAT WITH THE HAT", "change_case:english_capital", true)]
    [InlineData("etchings", "change_case:english_lowercase", false)] // too little evidence to call it English
    [InlineData("123 456", "change_case:english_lowercase", false)] // not lower case at all: no cased letter
    public void EnglishCase_NeedsCaseAndEnglish(string text, string type, bool expected) =>
        Assert.Equal(expected, Make(type).IsFollowed(text));

    [Theory]
    [InlineData("Это простой текст, и мы видим, что он на русском языке.", "ru")]
    [InlineData("Це простий текст, і ми бачимо, що він українською мовою.", "uk")]
    [InlineData("Това е прост текст и ние виждаме, че той е на български език.", "bg")]
    [InlineData("Der Hund und die Katze sind nicht zu Hause, aber das ist gut.", "de")]
    [InlineData("El perro y el gato no están en la casa, pero es una buena noticia.", "es")]
    [InlineData("O cão e o gato não estão em casa, mas é uma boa notícia para nós.", "pt")]
    [InlineData("मैं आज घर पर हूँ और यह एक अच्छा दिन है।", "hi")]
    [InlineData("मी आज घरी आहे आणि हा एक चांगला दिवस आहे.", "mr")]
    [InlineData("म आज घरमा छु र यो राम्रो दिन हो।", "ne")]
    [InlineData("این یک متن ساده است که به زبان فارسی نوشته شده است.", "fa")]
    [InlineData("یہ ایک سادہ متن ہے جو اردو میں لکھا گیا ہے۔", "ur")]
    [InlineData("هذا نص بسيط مكتوب باللغة العربية في هذه الصفحة.", "ar")]
    [InlineData("안녕하세요, 반갑습니다.", "ko")]
    [InlineData("Tôi là một người Việt Nam và tôi yêu quê hương.", "vi")]
    public void LanguageDetector_SeparatesLanguagesSharingAScript(string text, string expected) =>
        Assert.Equal(expected, Tailmark.Checks.Language.LanguageDetector.Detect(text));

    [Fact]
    public void LanguageDetector_NoLetters_IsNullSoTheCheckCountsAsFollowed()
    {
        Assert.Null(Tailmark.Checks.Language.LanguageDetector.Detect("1234 !!"));
        Assert.True(Make("language:response_language", """{"language": "fr"}""").IsFollowed("1234 !!"));
    }

    [Theory]
    [InlineData("What a great question! Here is", "regex_match", """{"pattern": "^\\W*(what a )?great question", "flags": "i"}""", true)]
    [InlineData("Answer first.", "regex_no_match", """{"pattern": "great question", "flags": "i"}""", true)]
    [InlineData("That is the greatest questions list", "banned_phrases", """{"phrases": ["great question"]}""", true)]
    [InlineData("Great   Question, indeed", "banned_phrases", """{"phrases": ["great question"]}""", false)]
    [InlineData("one two three", "word_count", """{"min": 2, "max": 3}""", true)]
    [InlineData("one two three four", "word_count", """{"max": 3}""", false)]
    [InlineData("One. Two. Three.", "sentence_count", """{"min": 3}""", true)]
    [InlineData("A. B. C.", "sentence_count", """{"min": 2}""", false)] // initials followed by capitals do not break
    [InlineData("p1\n\np2\n  \np3", "paragraph_count", """{"min": 3, "max": 3}""", true)]
    [InlineData("héllo", "char_count", """{"max": 5}""", true)]
    [InlineData("```\n{\"a\": 1, \"b\": 2}\n```", "valid_json", """{"required_keys": ["a", "b"]}""", true)]
    [InlineData("{\"a\": 1}", "valid_json", """{"required_keys": ["b"]}""", false)]
    [InlineData("  Dear team,", "starts_with", """{"text": "dear team"}""", true)]
    [InlineData("Thanks.", "ends_with", """{"text": "thanks.", "case_sensitive": true}""", false)]
    public void GenericChecks_FollowTheirDefinitions(string text, string type, string parameters, bool expected) =>
        Assert.Equal(expected, Make(type, parameters).IsFollowed(text));

    [Theory]
    [InlineData("length_constraints:number_words", """{"relation": "at least"}""", "num_words", "missing parameter")]
    [InlineData("length_constraints:number_words", """{"num_words": "ten", "relation": "at least"}""", "num_words", "expected an integer")]
    [InlineData("length_constraints:number_words", """{"num_words": 5, "relation": "about"}""", "relation", "expected \"less than\" or \"at least\"")]
    [InlineData("keywords:letter_frequency", """{"letter": "ab", "let_frequency": 2, "let_relation": "at least"}""", "letter", "single character")]
    [InlineData("punctuation:no_comma", """{"strict": true}""", "strict", "unknown parameter")]
    [InlineData("regex_match", """{"pattern": "(unclosed"}""", "pattern", "not a valid regular expression")]
    public void Create_BadParameters_ReportsFieldAndReason(string type, string parameters, string field, string message)
    {
        var log = new IssueLog("f.jsonl", 7);
        var check = CheckFactory.Create(type, JsonFieldReader.ToMap(JsonDocument.Parse(parameters).RootElement), log, "kwargs[0]");
        Assert.Null(check);
        Assert.Contains(log.Issues, i => i.IsError && i.Line == 7 && i.Field == $"kwargs[0].{field}" && i.Message.Contains(message, StringComparison.Ordinal));
    }
}
