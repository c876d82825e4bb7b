using Tailmark.Rubrics;

namespace Tailmark.Server.Reward;

/// <summary>
/// Finds an item's rubric by prompt id, else by the hash of its normalized prompt (<see cref="PromptKey"/>), and
/// layers the shared (task, dataset, defense) rubrics onto it once, up front.
/// </summary>
public sealed class RubricIndex
{
    private readonly Dictionary<string, Rubric> _byPromptId = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Rubric> _byPromptHash = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Rubric> _byRubricId = new(StringComparer.Ordinal);

    public RubricIndex(IEnumerable<Rubric> rubrics, IReadOnlyList<Rubric> shared)
    {
        foreach (var r in rubrics.Where(r => r.Level == RubricLevel.Instance))
        {
            var composed = RubricComposer.Compose(r, shared).Rubric;
            _byRubricId[r.Id] = composed;
            if (r.PromptId is not null) _byPromptId.TryAdd(r.PromptId, composed);
            if (r.Prompt is not null) _byPromptHash.TryAdd(PromptKey.Hash(r.Prompt), composed);
        }
    }

    public int Count => _byRubricId.Count;

    public Rubric? ById(string rubricId) => _byRubricId.GetValueOrDefault(rubricId);

    public Rubric? Find(string? promptId, PromptContent? prompt)
    {
        if (promptId is not null && _byPromptId.TryGetValue(promptId, out var byId)) return byId;
        if (prompt is not null && _byPromptHash.TryGetValue(PromptKey.Hash(prompt), out var byHash)) return byHash;
        return null;
    }
}
