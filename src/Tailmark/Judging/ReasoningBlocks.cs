namespace Tailmark.Judging;

/// <summary>
/// Finds the reasoning a model wrote into its answer text (when the server runs no reasoning parser), so that nothing
/// inside it is taken for the answer. Recognised (case-insensitive): <c>&lt;think&gt;</c>, <c>&lt;thinking&gt;</c>,
/// <c>&lt;reasoning&gt;</c>, <c>&lt;thought&gt;</c>, <c>&lt;seed:think&gt;</c>, <c>&lt;mm:think&gt;</c> (with their closing
/// tags), Kimi's <c>◁think▷…◁/think▷</c>, Magistral's <c>[THINK]…[/THINK]</c>, <c>&lt;|begin_of_thought|&gt;…&lt;|end_of_thought|&gt;</c>,
/// gpt-oss's harmony <c>analysis</c> and <c>commentary</c> channels (<c>&lt;|channel|&gt;analysis&lt;|message|&gt;…&lt;|end|&gt;</c>,
/// or, with the special tokens stripped, <c>analysis…assistantfinal</c>). Rules (docs/llm.md):
/// <list type="bullet">
/// <item>a closing tag with no opening tag before it (DeepSeek-R1 and others whose chat template writes the opening tag
/// into the prompt): everything before it is reasoning;</item>
/// <item>an opening tag never closed: everything after it is reasoning (<see cref="Spans.OpenFrom"/>); the answer
/// extractor may still take a complete object that ends the text, when the model stopped of its own accord.</item>
/// </list>
/// </summary>
public static class ReasoningBlocks
{
    /// <summary>The reasoning found: closed ranges [Start, End) and, if a block was never closed, where it opened.</summary>
    public sealed record Spans(IReadOnlyList<(int Start, int End)> Closed, int? OpenFrom)
    {
        public static readonly Spans None = new([], null);

        public bool Any => Closed.Count > 0 || OpenFrom is not null;

        /// <summary>Whether POSITION lies inside reasoning.</summary>
        public bool Contains(int position)
        {
            if (OpenFrom is { } open && position >= open) return true;
            foreach (var (start, end) in Closed)
            {
                if (position >= start && position < end) return true;
            }
            return false;
        }

        /// <summary>Whether [START, END) overlaps any reasoning.</summary>
        public bool Overlaps(int start, int end)
        {
            if (OpenFrom is { } open && end > open) return true;
            foreach (var (s, e) in Closed)
            {
                if (start < e && end > s) return true;
            }
            return false;
        }
    }

    // Orphan: whether the closing marker alone (no opening before it) marks what precedes it as reasoning. Not for
    // harmony's <|end|>, which also ends the final answer.
    private static readonly (string Open, string Close, bool Orphan)[] Pairs =
    [
        ("<think>", "</think>", true),
        ("<thinking>", "</thinking>", true),
        ("<reasoning>", "</reasoning>", true),
        ("<thought>", "</thought>", true),
        ("<seed:think>", "</seed:think>", true),
        ("<mm:think>", "</mm:think>", true),
        ("◁think▷", "◁/think▷", true),
        ("[THINK]", "[/THINK]", true),
        ("<|begin_of_thought|>", "<|end_of_thought|>", true),
        ("<|channel|>analysis<|message|>", "<|end|>", false),
        ("<|channel|>commentary<|message|>", "<|end|>", false),
    ];

    // gpt-oss with its special tokens stripped from the text: "analysis<reasoning>assistantfinal<answer>".
    private const string StrippedHarmonyStart = "analysis";
    private const string StrippedHarmonyFinal = "assistantfinal";

    public static Spans Find(string text)
    {
        List<(int, int)>? closed = null;
        var pos = 0;
        var lead = text.AsSpan().TrimStart();
        if (lead.StartsWith(StrippedHarmonyStart, StringComparison.Ordinal))
        {
            var final = text.IndexOf(StrippedHarmonyFinal, StringComparison.Ordinal);
            if (final >= 0)
            {
                pos = final + StrippedHarmonyFinal.Length;
                (closed ??= []).Add((0, pos));
            }
        }
        // A closing tag before any opening one: the opening tag was in the prompt.
        if (FirstClose(text, pos) is { } orphan && (FirstOpen(text, pos) is not { } first || orphan.Index < first.Index))
        {
            var end = orphan.Index + orphan.Length;
            (closed ??= []).Add((pos, end));
            pos = end;
        }
        while (FirstOpen(text, pos) is { } open)
        {
            var close = text.IndexOf(Pairs[open.Pair].Close, open.Index + Pairs[open.Pair].Open.Length, StringComparison.OrdinalIgnoreCase);
            if (close < 0) return new Spans(closed ?? [], open.Index);
            var end = close + Pairs[open.Pair].Close.Length;
            (closed ??= []).Add((open.Index, end));
            pos = end;
        }
        return closed is null ? Spans.None : new Spans(closed, null);
    }

    private static (int Index, int Pair)? FirstOpen(string text, int from)
    {
        (int Index, int Pair)? best = null;
        for (var p = 0; p < Pairs.Length; p++)
        {
            var i = text.IndexOf(Pairs[p].Open, from, StringComparison.OrdinalIgnoreCase);
            if (i >= 0 && (best is null || i < best.Value.Index)) best = (i, p);
        }
        return best;
    }

    private static (int Index, int Length)? FirstClose(string text, int from)
    {
        (int Index, int Length)? best = null;
        foreach (var (_, close, orphan) in Pairs)
        {
            if (!orphan) continue;
            var i = text.IndexOf(close, from, StringComparison.OrdinalIgnoreCase);
            if (i >= 0 && (best is null || i < best.Value.Index)) best = (i, close.Length);
        }
        return best;
    }
}
