using Tailmark.Rubrics;

namespace Tailmark.Judging;

/// <summary>
/// Reads the verdicts out of a judge's answer, tolerant in form and strict in meaning (docs/llm.md, "Reading the
/// judge's answer"). The answer's values outside its reasoning (<see cref="AnswerObjects"/>) are searched for verdicts
/// in any of these shapes: <c>{"verdicts": [{"id", "met", "level"?, "reason"?}]}</c>, <c>{"verdicts": {ID: …}}</c>,
/// an object keyed by criterion id (<c>{"c1": {"met": true}}</c> or <c>{"c1": "yes"}</c>), a lone
/// <c>{"id", "met"}</c> object or a list of them, also nested one level or more inside another object. Every verdict
/// found counts; nothing is guessed:
/// <list type="bullet">
/// <item>a criterion with two different answers (in one object or in two) has no verdict ("ambiguous");</item>
/// <item>an answer naming a criterion id that was not asked gives no verdict at all (the ids may be shifted);</item>
/// <item>a criterion with no entry, or whose "met" cannot be read (<see cref="MetValue"/>), has no verdict;</item>
/// <item>objects inside reasoning are never read: a draft there does not compete with the final answer.</item>
/// </list>
/// </summary>
public static class VerdictExtractor
{
    /// <summary>Verdict-shaped values are looked for this deep inside other objects and lists.</summary>
    private const int MaxNesting = 4;

    /// <summary>Reasons longer than this are clipped: a reason is a sentence, not an essay.</summary>
    public const int MaxReason = 500;

    private readonly record struct Entry(string? Id, LooseValue? Met, LooseValue? Level, LooseValue? Reason);

    /// <param name="content">The answer text (message content; never the separate reasoning field).</param>
    /// <param name="batch">The criteria the call asked about.</param>
    /// <param name="cutOff">Whether the server stopped the answer at its output budget (finish_reason "length").</param>
    /// <param name="reasoning">The separate reasoning field, if the server sent one (only its presence is used).</param>
    public static VerdictExtraction Extract(string content, IReadOnlyList<Criterion> batch, bool cutOff, string? reasoning = null)
    {
        var scan = AnswerObjects.Read(content, stopped: !cutOff);
        var empty = string.IsNullOrWhiteSpace(content);
        if (cutOff && (scan.EndsInReasoning || (empty && !string.IsNullOrWhiteSpace(reasoning))))
        {
            return Failed("cut off while reasoning", cutOffWhileReasoning: true);
        }
        if (scan.EndsInReasoning) return Failed("the answer ends inside a reasoning block that was never closed");
        if (empty) return Failed(string.IsNullOrWhiteSpace(reasoning) ? "the answer is empty" : "the answer is empty (the server sent only reasoning)");

        var entries = new List<Entry>();
        foreach (var value in scan.Values) Collect(value, batch, 0, entries);
        if (entries.Count == 0)
        {
            return Failed(scan.EndsInsideValue ? "the JSON ends before it is complete" : scan.Values.Count == 0 ? "no JSON object in the answer"
                : "no verdicts in the JSON the answer holds");
        }

        var asked = new Dictionary<string, Criterion>(batch.Count, StringComparer.Ordinal);
        foreach (var c in batch) asked[c.Id] = c;
        var verdicts = new Dictionary<string, JudgeVerdictParser.Parsed>(StringComparer.Ordinal);
        var problems = new Dictionary<string, string>(StringComparer.Ordinal);
        var seen = new HashSet<string>(StringComparer.Ordinal);
        var ambiguous = new HashSet<string>(StringComparer.Ordinal);
        var withoutId = 0;
        foreach (var e in entries)
        {
            if (e.Id is null)
            {
                withoutId++;
                continue;
            }
            if (!asked.TryGetValue(e.Id, out var criterion))
            {
                return Failed($"it names criterion \"{Clip(e.Id, 60)}\", which was not asked");
            }
            if (ambiguous.Contains(e.Id)) continue;
            var read = Read(e, criterion, out var problem);
            if (seen.Add(e.Id))
            {
                if (read is not null) verdicts[e.Id] = read;
                else problems[e.Id] = problem!;
                continue;
            }
            // The same verdict written twice (the object repeated, or quoted in a closing remark) is one verdict;
            // anything else is two answers, and neither is taken.
            if (read is not null && verdicts.TryGetValue(e.Id, out var earlier) && earlier.Met == read.Met && earlier.Level == read.Level) continue;
            verdicts.Remove(e.Id);
            problems[e.Id] = $"two different answers for {e.Id}";
            ambiguous.Add(e.Id);
        }
        foreach (var c in batch)
        {
            if (!verdicts.ContainsKey(c.Id) && !problems.ContainsKey(c.Id))
            {
                problems[c.Id] = withoutId > 0 ? $"no verdict for {c.Id} (a verdict without an id was not used)" : $"no verdict for {c.Id}";
            }
        }
        return new VerdictExtraction(verdicts, problems, null, false);
    }

    private static VerdictExtraction Failed(string problem, bool cutOffWhileReasoning = false) =>
        new(new Dictionary<string, JudgeVerdictParser.Parsed>(), new Dictionary<string, string>(), problem, cutOffWhileReasoning);

    // The verdict entries VALUE holds, in written order; values of other shapes are searched inside.
    private static void Collect(LooseValue value, IReadOnlyList<Criterion> batch, int depth, List<Entry> entries)
    {
        if (depth > MaxNesting) return;
        if (value.IsObject)
        {
            if (value.Get("verdicts") is { } list && (list.IsArray || list.IsObject))
            {
                if (list.IsArray)
                {
                    foreach (var item in list.Items)
                    {
                        if (item.IsObject) entries.Add(Lone(item));
                    }
                }
                else
                {
                    Keyed(list, entries);
                }
                return;
            }
            if (value.Get("met") is not null)
            {
                entries.Add(Lone(value));
                return;
            }
            if (value.Members.Any(m => batch.Any(c => string.Equals(c.Id, m.Key, StringComparison.Ordinal)) && VerdictLike(m.Value)))
            {
                Keyed(value, entries);
                return;
            }
            foreach (var m in value.Members) Collect(m.Value, batch, depth + 1, entries);
        }
        else if (value.IsArray)
        {
            foreach (var item in value.Items) Collect(item, batch, depth + 1, entries);
        }
    }

    private static Entry Lone(LooseValue item)
    {
        var id = item.Get("id") ?? item.Get("criterion_id");
        var idText = id?.Kind switch
        {
            LooseKind.String or LooseKind.Number => id.Text,
            _ => null,
        };
        return new Entry(idText, item.Get("met"), item.Get("level"), item.Get("reason"));
    }

    // {ID: {"met": …}} or {ID: "yes"}: members whose value is not verdict-like (a note, a summary) are not entries.
    private static void Keyed(LooseValue map, List<Entry> entries)
    {
        foreach (var (key, v) in map.Members)
        {
            if (!VerdictLike(v)) continue;
            entries.Add(v.IsObject ? new Entry(key, v.Get("met"), v.Get("level"), v.Get("reason")) : new Entry(key, v, null, null));
        }
    }

    private static bool VerdictLike(LooseValue v) =>
        v.Kind is LooseKind.True or LooseKind.False || (v.Kind == LooseKind.String && MetValue.Read(v.Text!) is not null)
            || (v.IsObject && v.Get("met") is not null);

    private static JudgeVerdictParser.Parsed? Read(Entry e, Criterion criterion, out string? problem)
    {
        problem = null;
        if (MetValue.Read(e.Met) is not { } met)
        {
            problem = $"\"met\" for {criterion.Id} is {e.Met?.Describe() ?? "missing"} (expected true or false)";
            return null;
        }
        double? level = null;
        if (criterion.Scale is not null && e.Level is { Kind: not LooseKind.Null } l)
        {
            if (l.AsNumber() is not { } number)
            {
                problem = $"\"level\" for {criterion.Id} is {l.Describe()} (expected one of its level values)";
                return null;
            }
            level = number;
        }
        var reason = e.Reason?.Kind switch
        {
            LooseKind.String => Clip(e.Reason.Text!, MaxReason),
            LooseKind.Number => e.Reason.Text,
            _ => null,
        };
        var offset = e.Met!.Kind is LooseKind.True or LooseKind.False ? e.Met.Start : -1;
        return new JudgeVerdictParser.Parsed(criterion.Id, met, level, reason, offset);
    }

    private static string Clip(string s, int max) => s.Length <= max ? s : s[..max] + "…";
}
