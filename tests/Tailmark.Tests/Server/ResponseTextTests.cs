using System.Text.Json;
using Tailmark.Rubrics;
using Tailmark.Server.Reward;
using Tailmark.Server.Reward.Text;

namespace Tailmark.Tests.Server;

/// <summary>Chat-template recovery, response clean-up and prompt-suffix matching, on strings written as the templates render them.</summary>
public sealed class ResponseTextTests
{
    private static readonly PromptMessage[] SystemAndUser = [new("system", "Be brief."), new("user", "Name a fruit.")];

    public static TheoryData<string, string> Templated => new()
    {
        { "chatml", "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nName a fruit.<|im_end|>\n<|im_start|>assistant\n" },
        { "chatml", "<|im_start|>system<|im_sep|>Be brief.<|im_end|><|im_start|>user<|im_sep|>Name a fruit.<|im_end|><|im_start|>assistant<|im_sep|>" },
        { "llama3", "<|begin_of_text|><|start_header_id|>system<|end_header_id|>\n\nBe brief.<|eot_id|><|start_header_id|>user<|end_header_id|>\n\nName a " +
            "fruit.<|eot_id|><|start_header_id|>assistant<|end_header_id|>\n\n" },
        { "phi3", "<|system|>\nBe brief.<|end|>\n<|user|>\nName a fruit.<|end|>\n<|assistant|>\n" },
        { "mistral", "<s>[SYSTEM_PROMPT]Be brief.[/SYSTEM_PROMPT][INST]Name a fruit.[/INST]" },
        { "mistral", "<s>[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nName a fruit. [/INST]" },
        { "deepseek", "<｜begin▁of▁sentence｜>Be brief.<｜User｜>Name a fruit.<｜Assistant｜>" },
        { "harmony", "<|start|>system<|message|>Be brief.<|end|><|start|>user<|message|>Name a fruit.<|end|><|start|>assistant" },
    };

    [Theory]
    [MemberData(nameof(Templated))]
    public void Templates_RecoverTheTurns_AndTheAssistantStart(string family, string text)
    {
        var parsed = ChatTemplates.Parse(text)!;
        Assert.Equal(family, parsed.Family);
        Assert.Equal(SystemAndUser, parsed.Turns);
        Assert.Equal(text.Length, parsed.FinalAssistantAt);
        // The recovered prompt hashes as the same conversation given as messages.
        Assert.Equal(PromptKey.Hash(PromptContent.FromMessages(SystemAndUser)), PromptKey.Hash(parsed.Prompt));
    }

    [Fact]
    public void Gemma_HasNoSystemRole_AndModelIsTheAssistant()
    {
        var parsed = ChatTemplates.Parse("<bos><start_of_turn>user\nName a " +
            "fruit.<end_of_turn>\n<start_of_turn>model\nPear.<end_of_turn>\n<start_of_turn>user\nAnother.<end_of_turn>\n<start_of_turn>model\n")!;
        PromptMessage[] expected = [new("user", "Name a fruit."), new("assistant", "Pear."), new("user", "Another.")];
        Assert.Equal(expected, parsed.Turns.ToArray());
    }

    [Fact]
    public void PlainText_IsNotATemplate() => Assert.Null(ChatTemplates.Parse("Name a fruit. <b>bold</b> and </s> in HTML."));

    [Theory]
    [InlineData("Apple.<|im_end|>", "Apple.", "end tokens removed")]
    [InlineData("Apple.<|eot_id|>\n<|end_of_text|>  ", "Apple.", "end tokens removed")]
    [InlineData("<s>struck</s> text</s>", "<s>struck</s> text", "end tokens removed")]
    [InlineData("<think>\nwhich fruit?\n</think>\n\nApple.<end_of_turn>", "Apple.", "reasoning block removed")]
    [InlineData("Apple.", "Apple.", null)]
    public void Cleaner_RemovesEndTokensAtTheEndOnly_AndReasoning(string raw, string graded, string? note)
    {
        var notes = new List<string>();
        Assert.Equal(graded, ResponseCleaner.Default.Clean(raw, notes));
        if (note is null) Assert.Empty(notes);
        else Assert.Contains(note, notes);
        Assert.Equal("<think>x</think> Apple.",
            new ResponseCleaner([], keepReasoning: true).Clean("<think>x</think> Apple.<|im_end|>".Replace("<|im_end|>", "", StringComparison.Ordinal)));
    }

    [Theory]
    [InlineData("abcdef", "defXYZ", 3)]
    [InlineData("abcdef", "abcdefXYZ", 6)]
    [InlineData("aaaa", "aaXYZ", 2)]
    [InlineData("abc", "XYZ", 0)]
    public void SuffixPrefixOverlap_IsTheLongestEndOfThePromptTheQueryStartsWith(string prompt, string query, int overlap) =>
        Assert.Equal(overlap, OpenRlhfProtocol.SuffixPrefixOverlap(prompt, query));

    [Fact]
    public void WireContent_ReadsPartsNullAndToolConversations()
    {
        List<string> notes = [];
        var parts = JsonDocument.Parse("""[{"type":"image_url","image_url":{"url":"x"}},{"type":"text","text":"A"},{"type":"text","text":"B"}]""").RootElement;
        Assert.Equal("A\nB", WireContent.Response(parts, "response", notes, out var problem));
        Assert.Null(problem);
        Assert.Contains("image_url parts not graded", notes);
        var tools = JsonDocument.Parse("""[{"role":"assistant","content":null,"tool_calls":[{"id":"1"}]},{"role":"tool","content":"42"},{"role":"assistant","content":"It is 42."}]""").RootElement;
        Assert.Equal("It is 42.", WireContent.Response(tools, "response", notes, out _));
        Assert.Contains("tool calls not graded", notes);
        Assert.Equal("", WireContent.Response(JsonDocument.Parse("null").RootElement, "response", notes, out _));
        Assert.Null(WireContent.Response(JsonDocument.Parse("true").RootElement, "items[2].response", notes, out problem));
        Assert.StartsWith("items[2].response: expected", problem);
    }
}
