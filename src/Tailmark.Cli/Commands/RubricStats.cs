using Tailmark.Rubrics;

namespace Tailmark.Cli.Commands;

/// <summary>Running totals over the rubrics of one file, for <c>stats</c>.</summary>
internal sealed class RubricStats
{
    public int Rubrics { get; private set; }
    public int Criteria { get; private set; }
    public int MinCriteria { get; private set; } = int.MaxValue;
    public int MaxCriteria { get; private set; }
    public double PositiveWeight { get; private set; }
    public double NegativeWeight { get; private set; }
    public SortedDictionary<string, int> Categories { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, int> Levels { get; } = new(StringComparer.Ordinal);
    public SortedDictionary<string, int> Kinds { get; } = new(StringComparer.Ordinal);

    public void Add(Rubric rubric)
    {
        Rubrics++;
        Criteria += rubric.Criteria.Length;
        MinCriteria = Math.Min(MinCriteria, rubric.Criteria.Length);
        MaxCriteria = Math.Max(MaxCriteria, rubric.Criteria.Length);
        Count(Levels, rubric.Level.ToString().ToLowerInvariant());
        foreach (var c in rubric.Criteria)
        {
            if (c.Weight > 0) PositiveWeight += c.Weight;
            else NegativeWeight += c.Weight;
            Count(Categories, c.Category?.ToString().ToLowerInvariant() ?? "none");
            Count(Kinds, c.IsVerifiable ? "verifiable" : "judged");
            if (c.IsOrdinal) Count(Kinds, "ordinal");
            if (c.Veto) Count(Kinds, "veto");
        }
    }

    private static void Count(SortedDictionary<string, int> counts, string key) =>
        counts[key] = counts.TryGetValue(key, out var n) ? n + 1 : 1;
}
