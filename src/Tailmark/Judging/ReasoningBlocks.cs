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
        var marks = Marks(text, pos);
        if (marks is null) return closed is null ? Spans.None : new Spans(closed, null);
        var m = 0;
        // A closing tag before any opening one: the opening tag was in the prompt.
        if (!marks[0].Open && Pairs[marks[0].Pair].Orphan)
        {
            pos = marks[0].End;
            (closed ??= []).Add((0, pos));
            m = 1;
        }
        while (true)
        {
            while (m < marks.Count && !(marks[m].Open && marks[m].Start >= pos)) m++;
            if (m == marks.Count) break;
            var open = marks[m];
            var c = m + 1;
            while (c < marks.Count && (marks[c].Open || !string.Equals(Pairs[marks[c].Pair].Close, Pairs[open.Pair].Close, StringComparison.Ordinal))) c++;
            if (c == marks.Count) return new Spans(closed ?? [], open.Start);
            (closed ??= []).Add((open.Start, marks[c].End));
            pos = marks[c].End;
            m = c + 1;
        }
        return closed is null ? Spans.None : new Spans(closed, null);
    }

    private readonly record struct Mark(int Start, int End, int Pair, bool Open);

    private static readonly char[] MarkStarts = ['<', '[', '◁'];

    // Every opening and closing marker with its pair; a closing marker shared by pairs (harmony's <|end|>) is listed once
    // per pair, and matched by its text.
    private static readonly (string Marker, int Pair, bool Open)[] Markers =
        [.. Pairs.SelectMany((p, i) => new[] { (p.Open, i, true), (p.Close, i, false) })];

    // Every opening or closing marker from FROM on, in order; null when there is none (the common case: one pass over
    // the text finds no '<' or '◁', and its '[' start no marker).
    private static List<Mark>? Marks(string text, int from)
    {
        List<Mark>? marks = null;
        var i = from;
        while (i < text.Length && text.IndexOfAny(MarkStarts, i) is var at && at >= 0)
        {
            i = at + 1;
            foreach (var (marker, pair, open) in Markers)
            {
                if (marker[0] != text[at] || !text.AsSpan(at).StartsWith(marker, StringComparison.OrdinalIgnoreCase)) continue;
                (marks ??= []).Add(new Mark(at, at + marker.Length, pair, open));
                i = at + marker.Length;
                break;
            }
        }
        return marks;
    }
}
