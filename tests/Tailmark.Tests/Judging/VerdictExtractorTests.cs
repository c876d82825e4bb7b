using Tailmark.Judging;
using Tailmark.Llm;
using Tailmark.Rubrics;
using static Tailmark.Tests.Support.RubricBuilder;

namespace Tailmark.Tests.Judging;

/// <summary>
/// The verdict extractor on hand-written answers: every deviation it accepts gives exactly the verdicts written, and
/// every refusal names what is wrong — nothing ambiguous becomes a verdict.
/// </summary>
public sealed class VerdictExtractorTests
{
    private static readonly Criterion[] Two = [C("c1", 1), C("c2", 1)];
    private static readonly Criterion Ordinal = C("o1", 1,
        scale: new CriterionScale([new ScaleLevel(0, "none"), new ScaleLevel(1, "some"), new ScaleLevel(2, "all")]));

    private static VerdictExtraction X(string answer, bool cutOff = false, string? reasoning = null, params Criterion[] batch) =>
        VerdictExtractor.Extract(answer, batch.Length == 0 ? Two : batch, cutOff, reasoning);

    // c1 met, c2 not met: what every accepted answer below says.
    private static void AssertC1MetC2Not(VerdictExtraction x)
    {
        Assert.True(x.Complete, x.Summary());
        Assert.True(x.Verdicts["c1"].Met);
        Assert.False(x.Verdicts["c2"].Met);
    }

    public static TheoryData<string, string> Accepted => new()
    {
        { "clean", """{"verdicts": [{"id": "c1", "met": true, "reason": "a"}, {"id": "c2", "met": false, "reason": "b"}]}""" },
        { "fenced after prose", "Here is my grading:\n\n```json\n{\"verdicts\": [{\"id\": \"c1\", \"met\": true}, {\"id\": \"c2\", \"met\": " +
            "false}]}\n```\nThanks." },
        { "prose around it, braces in strings", """I checked each one. {"verdicts": [{"id": "c1", "met": true, "reason": "uses {curly} braces"}, {"id": "c2", "met": false, "reason": "no }"}]} That is all."""},
        { "think with a different draft inside", """<think>Draft: {"verdicts": [{"id": "c1", "met": false}, {"id": "c2", "met": true}]} wait, wrong.</think>{"verdicts": [{"id": "c1", "met": true}, {"id": "c2", "met": false}]}""" },
        { "closing tag only (opening tag was in the prompt)",
            "reasoning with a draft {\"c1\": \"no\", \"c2\": \"yes\"}</think>\n\n{\"verdicts\": [{\"id\": \"c1\", \"met\": true}, {\"id\": \"c2\", \"met\": " +
                "false}]}" },
        { "unclosed think, object at the end",
            "<think>Let me see. A draft {\"c1\": false, \"c2\": true} is wrong.\n{\"verdicts\": [{\"id\": \"c1\", \"met\": true}, {\"id\": \"c2\", \"met\": " +
                "false}]}\n```" },
        { "harmony channels", """<|channel|>analysis<|message|>Draft {"c1": "no", "c2": "yes"}<|end|><|start|>assistant<|channel|>final<|message|>{"c1": true, "c2": false}<|return|>""" },
        { "harmony with its special tokens stripped", """analysisThe user wants {"c1": "no"} maybe.assistantfinal{"c1": true, "c2": false}""" },
        { "[THINK] (Magistral)", """[THINK]{"c1": false, "c2": false}[/THINK]{"c1": true, "c2": false}""" },
        { "Kimi's think marks", """◁think▷{"c1": false}◁/think▷{"c1": "yes", "c2": "no"}""" },
        { "begin_of_thought", """<|begin_of_thought|>{"c1": false}<|end_of_thought|><|begin_of_solution|>{"c1": true, "c2": false}<|end_of_solution|>""" },
        { "<thinking> in capitals", """<THINKING>{"c1": false}</THINKING>{"c1": true, "c2": false}""" },
        { "keyed by id with objects", """{"c1": {"met": true, "reason": "x"}, "c2": {"met": false}}""" },
        { "keyed by id with words, a note beside", """{"c1": "Yes", "c2": "No", "note": "graded strictly"}""" },
        { "verdicts keyed by id", """{"verdicts": {"c1": {"met": true}, "c2": {"met": false}}}""" },
        { "Python literal", """{'verdicts': [{'id': 'c1', 'met': True, 'reason': "it's there", 'level': None}, {'id': 'c2', 'met': False, 'reason': 'it isn\'t'}]}""" },
        { "trailing commas", "{\"verdicts\": [\n  {\"id\": \"c1\", \"met\": true,},\n  {\"id\": \"c2\", \"met\": false,},\n],}" },
        { "remark after, quoting the same verdict", """{"verdicts": [{"id": "c1", "met": true}, {"id": "c2", "met": false}]} To repeat: {"id": "c1", "met": true}.""" },
        { "nested in another object", """{"result": {"grading": {"verdicts": [{"id": "c1", "met": true}, {"id": "c2", "met": false}]}}}""" },
        { "a bare list", """[{"id": "c1", "met": true}, {"id": "c2", "met": false}]""" },
        { "comments, unquoted keys and words", "{verdicts: [ // first\n {id: c1, met: yes}, /* second */ {id: c2, met: not_met}]}" },
        { "met spelt other ways", """{"verdicts": [{"id": "c1", "met": "Passed."}, {"id": "c2", "met": "NOT MET"}]}""" },
        { "unicode escapes in a reason", """{"verdicts": [{"id": "c1", "met": true, "reason": "caf\u00e9 \"ok\""}, {"id": "c2", "met": false}]}""" },
        { "verdicts split over two objects", """First: {"id": "c1", "met": true} and then {"id": "c2", "met": false}.""" },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Accepted_GivesTheVerdictsWritten(string name, string answer)
    {
        Assert.NotEmpty(name);
        AssertC1MetC2Not(X(answer));
    }

    [Fact]
    public void Reasons_AreRead_ClippedAndUnescaped()
    {
        var x = X("""{"verdicts": [{"id": "c1", "met": true, "reason": "caf\u00e9 \"ok\""}, {"id": "c2", "met": false, "reason": "LONG"}]}""".Replace("LONG", new string('r', 900), StringComparison.Ordinal));
        Assert.Equal("café \"ok\"", x.Verdicts["c1"].Reason);
        Assert.Equal(VerdictExtractor.MaxReason + 1, x.Verdicts["c2"].Reason!.Length); // clipped, with an ellipsis
    }

    [Fact]
    public void Levels_OfOrdinalCriteria_AreReadAsNumbersOrNumericStrings()
    {
        Assert.Equal(2, X("""{"verdicts": [{"id": "o1", "met": true, "level": 2}]}""", batch: Ordinal).Verdicts["o1"].Level);
        Assert.Equal(1, X("""{"o1": {"met": true, "level": "1"}}""", batch: Ordinal).Verdicts["o1"].Level);
        var bad = X("""{"verdicts": [{"id": "o1", "met": true, "level": "high"}]}""", batch: Ordinal);
        Assert.Empty(bad.Verdicts);
        Assert.Contains("\"level\" for o1 is \"high\"", bad.ProblemFor("o1"));
    }

    [Fact]
    public void TwoObjectsThatDisagree_AreAmbiguous_OnlyWhereTheyDisagree()
    {
        var x = X("""{"verdicts": [{"id": "c1", "met": true}, {"id": "c2", "met": false}]} Actually: {"verdicts": [{"id": "c1", "met": true}, {"id": "c2", "met": true}]}""");
        Assert.True(x.Verdicts["c1"].Met);
        Assert.False(x.Verdicts.ContainsKey("c2"));
        Assert.Equal("two different answers for c2", x.ProblemFor("c2"));
    }

    [Theory]
    [InlineData("""{"verdicts": [{"id": "c1", "met": true}, {"id": "c1", "met": false}, {"id": "c2", "met": false}]}""", "two different answers for c1")]
    [InlineData("""{"verdicts": [{"id": "c1", "met": true, "met": false}, {"id": "c2", "met": false}]}""", "\"met\" for c1 is two different values")]
    [InlineData("""{"verdicts": [{"id": "c1", "met": true, "Met": false}, {"id": "c2", "met": false}]}""", "\"met\" for c1 is two different values")]
    [InlineData("""{"verdicts": [{"id": "c1", "met": "partially"}, {"id": "c2", "met": false}]}""", "\"met\" for c1 is \"partially\"")]
    [InlineData("""{"verdicts": [{"id": "c1", "met": 1}, {"id": "c2", "met": false}]}""", "\"met\" for c1 is 1")]
    [InlineData("""{"verdicts": [{"id": "c1", "met": null}, {"id": "c2", "met": false}]}""", "\"met\" for c1 is null")]
    [InlineData("""{"verdicts": [{"id": "c1"}, {"id": "c2", "met": false}]}""", "\"met\" for c1 is missing")]
    [InlineData("""{"verdicts": [{"met": true}, {"id": "c2", "met": false}]}""", "no verdict for c1 (a verdict without an id was not used)")]
    [InlineData("""{"verdicts": [{"id": "c2", "met": false}]}""", "no verdict for c1")]
    public void OneCriterionUnreadable_OnlyThatOneHasNoVerdict(string answer, string problem)
    {
        var x = X(answer);
        Assert.False(x.Verdicts.ContainsKey("c1"));
        Assert.False(x.Verdicts["c2"].Met);
        Assert.StartsWith(problem, x.ProblemFor("c1"));
    }

    [Theory]
    [InlineData("""{"verdicts": [{"id": "c1", "met": true}, {"id": "c3", "met": false}]}""", "it names criterion \"c3\", which was not asked")]
    [InlineData("""{"c1": true, "c2": false, "c9": "yes"}""", "it names criterion \"c9\", which was not asked")]
    [InlineData("I think the response is fine overall.", "no JSON object in the answer")]
    [InlineData("""{"score": 7, "summary": "good"}""", "no verdicts in the JSON the answer holds")]
    [InlineData("""{"verdicts": [{"id": "c1", "met": true}, {"id": "c2", "met": fal""", "the JSON ends before it is complete")]
    [InlineData("""<think>{"c1": true, "c2": false} I still need to check""", "the answer ends inside a reasoning block that was never closed")]
    [InlineData("""<think>Only a draft: {"c1": true, "c2": false}</think>""", "no JSON object in the answer")]
    [InlineData("   ", "the answer is empty")]
    public void WholeAnswerUnusable_NoVerdictAtAll(string answer, string problem)
    {
        var x = X(answer);
        Assert.Empty(x.Verdicts);
        Assert.Equal(problem, x.AnswerProblem);
        Assert.Equal(problem, x.ProblemFor("c2"));
    }

    [Fact]
    public void CutOff_InsideReasoning_IsToldApart()
    {
        Assert.True(X("<think>Let me weigh c1 against the response and", cutOff: true).CutOffWhileReasoning);
        Assert.True(X("", cutOff: true, reasoning: "Working through the criteria").CutOffWhileReasoning);
        // Stopped at the budget after the reasoning, in the JSON: an ordinary cut-off, not one while reasoning.
        var inJson = X("""<think>done</think>{"verdicts": [{"id": "c1", "met": true}, {"id": "c2", "met": tr""", cutOff: true);
        Assert.False(inJson.CutOffWhileReasoning);
        Assert.Empty(inJson.Verdicts);
        // An unclosed block followed by a complete object is not taken when the answer was cut off: more might have come.
        Assert.True(X("""<think>draft {"c1": true, "c2": false}""", cutOff: true).CutOffWhileReasoning);
        Assert.Equal("the answer is empty (the server sent only reasoning)", X("", reasoning: "thinking").AnswerProblem);
    }

    [Fact]
    public void MetOffset_PointsAtTheLiteral_ForPYes()
    {
        const string answer = """<think>{"c1": false}</think> {"verdicts": [{"id": "c2", "met": false}, {"id": "c1", "met": true}]}""";
        var x = X(answer);
        Assert.Equal("true", answer.Substring(x.Verdicts["c1"].MetOffset, 4));
        Assert.Equal("false", answer.Substring(x.Verdicts["c2"].MetOffset, 5));
        Assert.Equal(-1, X("""{"c1": "yes", "c2": "no"}""").Verdicts["c1"].MetOffset);
        // Tokens laid over the text: the one at the offset carries P(yes) = e^-0.1 / (e^-0.1 + e^-2.4).
        string[] tokens = ["<think>", "{\"c1\": false}", "</think> {\"verdicts\": [{\"id\": \"c2\", \"met\": ", "false", "}, {\"id\": \"c1\", \"met\": ",
            "true", "}]}"];
        var logprobs = tokens.Select(t => new TokenLogprob(t, t is "true" ? -0.1 : 0, t is "true" ? [("true", -0.1), ("false", -2.4)] : [])).ToList();
        Assert.Equal(Math.Exp(-0.1) / (Math.Exp(-0.1) + Math.Exp(-2.4)), JudgeVerdictParser.PYes(logprobs, answer, x.Verdicts["c1"].MetOffset)!.Value, 12);
        Assert.Equal(0.0, JudgeVerdictParser.PYes(logprobs, answer, x.Verdicts["c2"].MetOffset)!.Value, 12); // a certain "false": P(yes) = 1 − e^0
        Assert.Null(JudgeVerdictParser.PYes(logprobs, answer, -1));
    }

    [Fact]
    public void LooseJson_RefusesWhatIsNotClear()
    {
        Assert.Null(LooseJson.TryRead("""{"a": 1 "b": 2}""", 0)); // a missing comma
        Assert.Null(LooseJson.TryRead("""{"a": 1, nonsense here}""", 0));
        Assert.Null(LooseJson.TryRead("{" + string.Concat(Enumerable.Repeat("\"a\": {", LooseJson.MaxDepth + 2)) + "}", 0));
        Assert.NotNull(LooseJson.TryRead("[1, -2.5e3, +4, 'x', \"y\", True, None, [], {}]", 0));
        var v = LooseJson.TryRead("""{"t": "tab\there \u263A", 'q': 'it\'s'}""", 0)!;
        Assert.Equal("tab\there \u263A", v.Get("t")!.Text);
        Assert.Equal("it's", v.Get("Q")!.Text);
    }

    [Fact]
    public void ReasoningBlocks_FindClosedOrphanAndOpenBlocks()
    {
        var spans = ReasoningBlocks.Find("a<think>b</think>c<reasoning>d");
        Assert.Equal([(1, 17)], spans.Closed);
        Assert.Equal(18, spans.OpenFrom);
        Assert.Equal([(0, 11)], ReasoningBlocks.Find("abc</think>{}").Closed);
        // Harmony's <|end|> also ends a final answer: alone, it marks no reasoning.
        Assert.False(ReasoningBlocks.Find("<|channel|>final<|message|>{}<|end|>").Any);
        Assert.False(ReasoningBlocks.Find("""{"verdicts": []}""").Any);
    }
}
