using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace Tailmark.Server.Reward.Text;

/// <summary>
/// Cleans a response before grading: end-of-sequence and end-of-turn tokens at its end are removed (repeatedly, with
/// the white space between them), and a leading reasoning block (<c>&lt;think&gt;…&lt;/think&gt;</c>) is removed
/// unless reasoning is kept — reasoning is not the answer, and counts such as words or paragraphs must not see it.
/// Tokens are removed only at the end: the same text inside a response (an HTML <c>&lt;/s&gt;</c>) is the response's.
/// </summary>
public sealed partial class ResponseCleaner(ImmutableArray<string> endTokens, bool keepReasoning = false)
{
    /// <summary>The end tokens of the common chat templates (ChatML/Qwen, Llama 3, Gemma, Mistral/Llama 2, Phi, DeepSeek, gpt-oss, GPT-2 style).</summary>
    public static readonly ImmutableArray<string> DefaultEndTokens =
    [
        "<|im_end|>", "<|endoftext|>", "<|eot_id|>", "<|eom_id|>", "<|end_of_text|>", "</s>", "<end_of_turn>", "<eos>",
        "<|end|>", "<|return|>", "<｜end▁of▁sentence｜>",
    ];

    public static ResponseCleaner Default { get; } = new(DefaultEndTokens);

    public ImmutableArray<string> EndTokens => endTokens;

    /// <summary>The response as graded, and a note for each kind of removal made.</summary>
    public string Clean(string response, List<string>? notes = null)
    {
        var s = response;
        var stripped = false;
        for (var changed = true; changed;)
        {
            changed = false;
            s = s.TrimEnd();
            foreach (var token in endTokens)
            {
                if (token.Length > 0 && s.EndsWith(token, StringComparison.Ordinal))
                {
                    s = s[..^token.Length];
                    changed = stripped = true;
                }
            }
        }
        if (stripped) notes?.Add("end tokens removed");
        if (!keepReasoning && Reasoning().Match(s) is { Success: true } m)
        {
            s = s[m.Length..];
            notes?.Add("reasoning block removed");
        }
        return s.Trim();
    }

    [GeneratedRegex(@"^\s*<think>.*?</think>", RegexOptions.Singleline)]
    private static partial Regex Reasoning();
}
