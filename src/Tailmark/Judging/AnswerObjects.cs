namespace Tailmark.Judging;

/// <summary>
/// The objects and arrays written in a model's answer outside its reasoning: every top-level value
/// <see cref="LooseJson"/> can read, wherever it stands — alone, in a fenced block, inside prose — with braces inside
/// strings and inside reasoning ignored. Where a value is broken by a syntax error, the values inside it are still
/// found; where one is still open when the text ends (an answer cut short), nothing after its start is used: its
/// complete parts are fragments of an answer whose end is unknown. Shared by the judge's verdict extraction and the
/// proposer's rubric parsing, which decide what the values mean.
/// </summary>
public static class AnswerObjects
{
    /// <summary>
    /// What an answer holds: its values in written order, where its reasoning is, whether it ended inside it, and
    /// whether it ended inside an unfinished object or list.
    /// </summary>
    public sealed record Scan(IReadOnlyList<LooseValue> Values, ReasoningBlocks.Spans Reasoning, bool EndsInReasoning, bool EndsInsideValue = false);

    private static readonly char[] Openers = ['{', '['];

    /// <param name="text">The answer text (the message content; a separate reasoning field is never passed here).</param>
    /// <param name="stopped">Whether the model stopped of its own accord (not cut off by its budget): only then may a
    /// complete object that ends the text be taken from behind a reasoning block that was never closed.</param>
    public static Scan Read(string text, bool stopped)
    {
        var reasoning = ReasoningBlocks.Find(text);
        var values = new List<LooseValue>();
        var limit = reasoning.OpenFrom ?? text.Length;
        var unfinished = false;
        var i = 0;
        while (i < limit && text.IndexOfAny(Openers, i, limit - i) is var at && at >= 0)
        {
            if (reasoning.Contains(at))
            {
                i = EndOfClosedSpan(reasoning, at);
                continue;
            }
            var value = LooseJson.TryRead(text, at, out var endedOpen);
            if (endedOpen)
            {
                unfinished = true;
                break;
            }
            if (value is not null && !reasoning.Overlaps(value.Start, value.End))
            {
                values.Add(value);
                i = value.End;
            }
            else
            {
                i = at + 1;
            }
        }
        var endsInReasoning = false;
        if (reasoning.OpenFrom is { } open)
        {
            if (stopped && Trailing(text, open) is { } last) values.Add(last);
            else endsInReasoning = true;
        }
        return new Scan(values, reasoning, endsInReasoning, unfinished);
    }

    private static int EndOfClosedSpan(ReasoningBlocks.Spans reasoning, int at)
    {
        foreach (var (start, end) in reasoning.Closed)
        {
            if (at >= start && at < end) return end;
        }
        return at + 1;
    }

    // The complete value that ends the text (white space, a closing fence or an end-of-message token may follow), read
    // from behind an unclosed reasoning block; values that stop earlier are drafts inside the reasoning.
    private static LooseValue? Trailing(string text, int from)
    {
        var end = TrimmedEnd(text);
        if (end <= from || text[end - 1] is not ('}' or ']')) return null;
        var i = from;
        while (i < end && text.IndexOfAny(Openers, i, end - i) is var at && at >= 0)
        {
            var value = LooseJson.TryRead(text, at);
            if (value is not null && value.End == end) return value;
            i = value is not null && value.End < end ? value.End : at + 1;
        }
        return null;
    }

    private static int TrimmedEnd(string text)
    {
        var end = text.Length;
        while (true)
        {
            while (end > 0 && char.IsWhiteSpace(text[end - 1])) end--;
            var trimmed = false;
            foreach (var tail in (string[])["```", "<|return|>", "<|end|>", "<|im_end|>", "</s>"])
            {
                if (end >= tail.Length && text.AsSpan(end - tail.Length, tail.Length).SequenceEqual(tail))
                {
                    end -= tail.Length;
                    trimmed = true;
                }
            }
            if (!trimmed) return end;
        }
    }
}
