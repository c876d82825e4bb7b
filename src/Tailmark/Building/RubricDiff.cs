using System.Collections.Immutable;
using Tailmark.Rubrics;

namespace Tailmark.Building;

/// <summary>What a refinement changed, by criterion text: added, removed, and kept with another weight.</summary>
public sealed record RubricDiff(ImmutableArray<string> Added, ImmutableArray<string> Removed, ImmutableArray<(string Text, double From, double To)> Reweighted)
{
    public static RubricDiff Between(Rubric before, Rubric after)
    {
        var old = before.Criteria.GroupBy(c => c.Text, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Weight, StringComparer.Ordinal);
        var now = after.Criteria.GroupBy(c => c.Text, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First().Weight, StringComparer.Ordinal);
        return new RubricDiff(
            [.. now.Keys.Where(t => !old.ContainsKey(t))],
            [.. old.Keys.Where(t => !now.ContainsKey(t))],
            [.. now.Where(kv => old.TryGetValue(kv.Key, out var w) && !w.Equals(kv.Value)).Select(kv => (kv.Key, old[kv.Key], kv.Value))]);
    }

    public bool IsEmpty => Added.IsEmpty && Removed.IsEmpty && Reweighted.IsEmpty;
}
