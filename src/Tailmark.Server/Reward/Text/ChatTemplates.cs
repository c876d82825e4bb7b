using System.Collections.Immutable;
using System.Text.RegularExpressions;
using Tailmark.Rubrics;

namespace Tailmark.Server.Reward.Text;

/// <summary>
/// Recovers the turns of a chat-templated string — what OpenRLHF (with <c>apply_chat_template</c>) and slime send
/// as the prompt, and as the front of every query — for the common families: ChatML (Qwen, Phi-4's
/// <c>&lt;|im_sep|&gt;</c> variant), Llama 3, Gemma, Phi-3 and Zephyr, Mistral and Llama 2 (<c>[INST]</c>, with
/// <c>&lt;&lt;SYS&gt;&gt;</c> and <c>[SYSTEM_PROMPT]</c>), DeepSeek (V2/V3/R1) and gpt-oss (harmony). The family with the
/// most turn headers in the text wins; text before the first header, less begin-of-sequence tokens, is a system turn.
/// </summary>
public static partial class ChatTemplates
{
    public static readonly ImmutableArray<ChatTemplateFamily> Families =
    [
        new("chatml", ChatMlHeader(), ["<|im_end|>", "<|endoftext|>"], []),
        new("llama3", Llama3Header(), ["<|eot_id|>", "<|eom_id|>", "<|end_of_text|>"], ["<|begin_of_text|>"]),
        new("gemma", GemmaHeader(), ["<end_of_turn>", "<eos>"], ["<bos>"]),
        new("phi3", PhiHeader(), ["<|end|>", "</s>", "<|endoftext|>"], ["<s>"]),
        new("mistral", InstHeader(), ["</s>", "[/SYSTEM_PROMPT]"], ["<s>"]),
        new("deepseek", DeepSeekHeader(), ["<｜end▁of▁sentence｜>"], ["<｜begin▁of▁sentence｜>"]),
        new("harmony", HarmonyHeader(), ["<|end|>", "<|return|>", "<|call|>"], []),
    ];

    /// <summary>
    /// The turns of a templated string and where its final assistant turn begins when the text ends with one (the
    /// generation prompt of a prompt, or the response of a query); null when no family's header occurs.
    /// </summary>
    public static TemplatedText? Parse(string text)
    {
        ChatTemplateFamily? best = null;
        MatchCollection? headers = null;
        foreach (var family in Families)
        {
            var found = family.Header.Matches(text);
            if (found.Count > 0 && (headers is null || found.Count > headers.Count))
            {
                best = family;
                headers = found;
            }
        }
        if (best is null || headers is null) return null;
        var turns = new List<PromptMessage>();
        var leading = Strip(text[..headers[0].Index], best.Leading, best.TurnEnds);
        if (leading.Length > 0) turns.Add(new PromptMessage("system", leading));
        int? last = null;
        for (var i = 0; i < headers.Count; i++)
        {
            var start = headers[i].Index + headers[i].Length;
            var end = i + 1 < headers.Count ? headers[i + 1].Index : text.Length;
            var role = ChatTemplateFamily.Role(headers[i]);
            if (role == "assistant" && i == headers.Count - 1)
            {
                // The final assistant turn: the generation prompt of a prompt, or the response of a query.
                last = start;
                break;
            }
            var content = Strip(text[start..end], best.Leading, best.TurnEnds);
            if (role == "user" && best.Name == "mistral") SplitLlama2System(content, turns);
            else turns.Add(new PromptMessage(role, content));
        }
        return new TemplatedText(best.Name, [.. turns], last);
    }

    // Llama 2 puts the system prompt inside the first [INST]: "<<SYS>>\n…\n<</SYS>>\n\nuser text".
    private static void SplitLlama2System(string content, List<PromptMessage> turns)
    {
        var match = Llama2System().Match(content);
        if (!match.Success)
        {
            turns.Add(new PromptMessage("user", content));
            return;
        }
        turns.Add(new PromptMessage("system", match.Groups["system"].Value.Trim()));
        turns.Add(new PromptMessage("user", content[(match.Index + match.Length)..].Trim()));
    }

    private static string Strip(string content, ImmutableArray<string> leading, ImmutableArray<string> ends)
    {
        var s = content.Trim();
        for (var changed = true; changed;)
        {
            changed = false;
            foreach (var token in leading.Concat(ends))
            {
                if (s.StartsWith(token, StringComparison.Ordinal))
                {
                    s = s[token.Length..].TrimStart();
                    changed = true;
                }
                if (s.EndsWith(token, StringComparison.Ordinal))
                {
                    s = s[..^token.Length].TrimEnd();
                    changed = true;
                }
            }
        }
        return s;
    }

    [GeneratedRegex(@"<\|im_start\|>[ \t]*(?<role>[A-Za-z_][\w-]*)(?:[ \t]*\n|<\|im_sep\|>)")]
    private static partial Regex ChatMlHeader();

    [GeneratedRegex(@"<\|start_header_id\|>(?<role>[A-Za-z_][\w-]*)<\|end_header_id\|>(?:\n\n?)?")]
    private static partial Regex Llama3Header();

    [GeneratedRegex(@"<start_of_turn>(?<role>[A-Za-z_][\w-]*)\n")]
    private static partial Regex GemmaHeader();

    [GeneratedRegex(@"<\|(?<role>system|user|assistant)\|>\n?")]
    private static partial Regex PhiHeader();

    // [INST] opens a user turn, [/INST] an assistant turn, [SYSTEM_PROMPT] a system turn.
    [GeneratedRegex(@"(?:\[INST\]|\[/INST\]|\[SYSTEM_PROMPT\])[ \t]?")]
    private static partial Regex InstHeader();

    [GeneratedRegex(@"<｜(?<role>User|Assistant)｜>")]
    private static partial Regex DeepSeekHeader();

    // The generation prompt ends with "<|start|>assistant" alone; the model writes the channel and message markers.
    [GeneratedRegex(@"<\|start\|>(?<role>[A-Za-z_][\w-]*)(?:<\|channel\|>[A-Za-z_]+)?[^<\n]*?(?:<\|message\|>|$)")]
    private static partial Regex HarmonyHeader();

    [GeneratedRegex(@"^<<SYS>>(?<system>.*?)<</SYS>>", RegexOptions.Singleline)]
    private static partial Regex Llama2System();
}
