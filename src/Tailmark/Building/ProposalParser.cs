using System.Collections.Immutable;
using Tailmark.Judging;
using Tailmark.Rubrics;

namespace Tailmark.Building;

/// <summary>
/// Turns a proposer's answer into criteria, as tolerant in form as the judge's verdict extraction and sharing its
/// reader (<see cref="AnswerObjects"/>): reasoning is skipped, the rubric may stand in a fenced block or in prose, be
/// written as Python literals, and take any of these shapes — <c>{"criteria": [{"text", "weight"}]}</c>,
/// <c>{"criteria": {ID: {"text", "weight"}}}</c>, an object keyed by id, or a bare list of criteria (<c>criterion</c>
/// is read as <c>text</c>; a weight may be written as a string, "2"). Each criterion needs non-empty text and a whole
/// weight in −3..3 other than 0 (1 when absent). Two different rubrics outside the reasoning are ambiguous and refused.
/// Criteria get ids c1..cN in order; negative ones are pitfalls. Returns null with the reason when the answer is
/// unusable.
/// </summary>
public static class ProposalParser
{
    private const int MaxNesting = 4;

    /// <param name="text">The answer text (message content).</param>
    /// <param name="problem">Why the answer is unusable, when it is.</param>
    /// <param name="cutOff">Whether the server stopped the answer at its output budget.</param>
    public static ImmutableArray<Criterion>? Parse(string text, out string? problem, bool cutOff = false)
    {
        problem = null;
        var scan = AnswerObjects.Read(text, stopped: !cutOff);
        if (scan.EndsInReasoning)
        {
            problem = cutOff ? "cut off while reasoning (raise the reasoning budget: reasoning_tokens, or --reasoning-tokens)"
                : "the answer ends inside a reasoning block that was never closed";
            return null;
        }
        ImmutableArray<Criterion>? found = null;
        foreach (var value in scan.Values)
        {
            var rubric = Find(value, 0, out var itemProblem);
            if (itemProblem is not null)
            {
                problem = itemProblem;
                return null;
            }
            if (rubric is null) continue;
            if (found is { } earlier && !Same(earlier, rubric.Value))
            {
                problem = "two different rubrics in the answer";
                return null;
            }
            found ??= rubric;
        }
        if (found is null)
        {
            problem = scan.EndsInsideValue ? $"malformed JSON: {(cutOff ? "cut off" : "it ends")} before it is complete"
                : scan.Values.Count == 0 ? "no JSON object in the answer" : "no \"criteria\" list";
        }
        return found;
    }

    // The rubric VALUE holds (or holds inside it), or null; PROBLEM is set when a rubric-shaped value is invalid.
    private static ImmutableArray<Criterion>? Find(LooseValue value, int depth, out string? problem)
    {
        problem = null;
        if (depth > MaxNesting) return null;
        if (value.IsObject && value.Get("criteria") is { } list && (list.IsArray || list.IsObject))
        {
            return Build(list.IsArray ? list.Items : [.. list.Members.Select(m => m.Value)], out problem);
        }
        if (value.IsArray && value.Items.Count > 0 && value.Items.All(IsCriterion)) return Build(value.Items, out problem);
        if (value.IsObject && value.Members.Count > 0 && value.Members.All(m => IsCriterion(m.Value))) return Build([.. value.Members.Select(m => m.Value)],
            out problem);
        var children = value.IsObject ? value.Members.Select(m => m.Value) : value.Items;
        foreach (var child in children)
        {
            var inner = Find(child, depth + 1, out problem);
            if (inner is not null || problem is not null) return inner;
        }
        return null;
    }

    private static bool IsCriterion(LooseValue v) => v.IsObject && TextOf(v) is not null;

    private static LooseValue? TextOf(LooseValue item) =>
        item.Get("text") is { Kind: LooseKind.String } t ? t : item.Get("criterion") is { Kind: LooseKind.String } c ? c : null;

    private static ImmutableArray<Criterion>? Build(IReadOnlyList<LooseValue> items, out string? problem)
    {
        problem = null;
        var criteria = ImmutableArray.CreateBuilder<Criterion>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        foreach (var item in items)
        {
            if (!item.IsObject || TextOf(item) is not { } textValue || string.IsNullOrWhiteSpace(textValue.Text))
            {
                problem = "a criterion without text";
                return null;
            }
            var w = item.Get("weight");
            double? weight = w is null || w.Kind == LooseKind.Null ? 1 : w.AsNumber();
            if (weight is not { } wd || wd != Math.Round(wd) || wd is 0 or < -3 or > 3)
            {
                problem = $"weight {w?.Describe()} is not a whole number in -3..3 other than 0";
                return null;
            }
            var text = textValue.Text!.Trim();
            if (!seen.Add(text)) continue; // an exact repeat adds nothing
            criteria.Add(new Criterion
            {
                Id = $"c{criteria.Count + 1}",
                Text = text,
                Weight = wd,
                Category = wd < 0 ? CriterionCategory.Pitfall : null,
            });
        }
        if (criteria.Count == 0)
        {
            problem = "an empty rubric";
            return null;
        }
        return criteria.ToImmutable();
    }

    private static bool Same(ImmutableArray<Criterion> a, ImmutableArray<Criterion> b) =>
        a.Length == b.Length && a.Zip(b).All(p => p.First.Text == p.Second.Text && p.First.Weight == p.Second.Weight);
}
