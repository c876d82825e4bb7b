using Tailmark.Grading;
using Tailmark.Rubrics;

namespace Tailmark.Server.Reward;

/// <summary>
/// Finds an item's instance rubric in a <see cref="RubricSet"/>, which layers the shared (task, dataset, defense) rubrics
/// onto it by the same rule as every command. Lookup order: the prompt id; the hash of the prompt as given
/// (<see cref="PromptKey"/>); the hash of its user and assistant turns (a system prompt the trainer adds is left out);
/// the hash of its last user turn alone. The first rubric read for a key keeps it.
/// </summary>
public sealed class RubricIndex
{
    private readonly Dictionary<string, Rubric> _byPromptHash = new(StringComparer.Ordinal);

    public RubricIndex(RubricSet rubrics)
    {
        Rubrics = rubrics;
        foreach (var r in rubrics.Instances)
        {
            if (r.Prompt is not null) _byPromptHash.TryAdd(PromptKey.Hash(r.Prompt), r);
        }
    }

    public RubricSet Rubrics { get; }

    public int Count => Rubrics.Instances.Count;

    /// <summary>An instance rubric by its id, as graded for a prompt that says nothing of its task and tags (its layers included).</summary>
    public Rubric? ById(string rubricId) =>
        Rubrics.ById(rubricId) is { Level: RubricLevel.Instance } r ? Rubrics.Compose(r).Rubric : null;

    /// <summary>The instance rubric and how it was found (<c>prompt_id</c>, <c>prompt</c>, <c>user_turns</c>, <c>last_user_turn</c>).</summary>
    public (Rubric? Rubric, string? FoundBy) Lookup(string? promptId, PromptContent? prompt)
    {
        if (promptId is not null && Rubrics.ForPrompt(promptId) is { } byId) return (byId, "prompt_id");
        if (prompt is null) return (null, null);
        if (_byPromptHash.TryGetValue(PromptKey.Hash(prompt), out var byHash)) return (byHash, "prompt");
        if (prompt.IsText) return (null, null);
        var turns = prompt.Messages.Where(m => m.Role is "user" or "assistant").ToList();
        if (turns.Count < prompt.Messages.Length && turns.Count > 0
            && _byPromptHash.TryGetValue(PromptKey.Hash(PromptContent.FromMessages(turns)), out var byTurns))
        {
            return (byTurns, "user_turns");
        }
        var last = prompt.Messages.LastOrDefault(m => m.Role == "user");
        if (last is not null && _byPromptHash.TryGetValue(PromptKey.Hash(PromptContent.FromText(last.Content)), out var byLast)) return (byLast,
            "last_user_turn");
        return (null, null);
    }

    /// <summary>What an item without a rubric was looked up by, for its reason.</summary>
    public static string Describe(string? promptId, PromptContent? prompt) =>
        promptId is not null && prompt is not null ? $"prompt id \"{promptId}\" or prompt hash {PromptKey.Hash(prompt)}"
        : promptId is not null ? $"prompt id \"{promptId}\""
        : prompt is not null ? $"prompt hash {PromptKey.Hash(prompt)}"
        : "an item with neither prompt_id nor prompt";
}
