using Tailmark.Rubrics;

namespace Tailmark.Server.Reward;

/// <summary>
/// Finds an item's rubric and layers the shared (task, dataset, defense) rubrics onto each, once, up front. Lookup
/// order: the prompt id; the hash of the prompt as given (<see cref="PromptKey"/>); the hash of its user and assistant
/// turns (a system prompt the trainer adds is left out); the hash of its last user turn alone. The first rubric read
/// for a key keeps it.
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

    public bool HasPromptId(string promptId) => _byPromptId.ContainsKey(promptId);

    public Rubric? Find(string? promptId, PromptContent? prompt) => Lookup(promptId, prompt).Rubric;

    /// <summary>The rubric and how it was found (<c>prompt_id</c>, <c>prompt</c>, <c>user_turns</c>, <c>last_user_turn</c>).</summary>
    public (Rubric? Rubric, string? FoundBy) Lookup(string? promptId, PromptContent? prompt)
    {
        if (promptId is not null && _byPromptId.TryGetValue(promptId, out var byId)) return (byId, "prompt_id");
        if (prompt is null) return (null, null);
        if (_byPromptHash.TryGetValue(PromptKey.Hash(prompt), out var byHash)) return (byHash, "prompt");
        if (prompt.IsText) return (null, null);
        var turns = prompt.Messages.Where(m => m.Role is "user" or "assistant").ToList();
        if (turns.Count < prompt.Messages.Length && turns.Count > 0 && _byPromptHash.TryGetValue(PromptKey.Hash(PromptContent.FromMessages(turns)), out var byTurns))
        {
            return (byTurns, "user_turns");
        }
        var last = prompt.Messages.LastOrDefault(m => m.Role == "user");
        if (last is not null && _byPromptHash.TryGetValue(PromptKey.Hash(PromptContent.FromText(last.Content)), out var byLast)) return (byLast, "last_user_turn");
        return (null, null);
    }

    /// <summary>What an item without a rubric was looked up by, for its reason.</summary>
    public static string Describe(string? promptId, PromptContent? prompt) =>
        promptId is not null && prompt is not null ? $"prompt id \"{promptId}\" or prompt hash {PromptKey.Hash(prompt)}"
        : promptId is not null ? $"prompt id \"{promptId}\""
        : prompt is not null ? $"prompt hash {PromptKey.Hash(prompt)}"
        : "an item with neither prompt_id nor prompt";
}
