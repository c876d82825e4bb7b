using System.Collections.Immutable;
using Tailmark.Grading;
using Tailmark.Rubrics;

namespace Tailmark.Server.Reward;

/// <summary>
/// One item to reward: which prompt (by id, or by its text or messages), the response as graded, and the training
/// step. <see cref="Traits"/> are the task and tags the item names (native items may), which select layers as a row's
/// do. <see cref="Problem"/> is set when the item could not be read: it is then answered as ungraded with that reason,
/// and the rest of its batch is graded. <see cref="Notes"/> say what reading changed (template recovered, end tokens
/// removed, image parts left out…).
/// </summary>
public sealed record RewardItem(string? PromptId, PromptContent? Prompt, string Response, long? Step)
{
    public PromptTraits Traits { get; init; } = PromptTraits.None;

    public string? Problem { get; init; }

    public ImmutableArray<string> Notes { get; init; } = [];

    public static RewardItem Unreadable(string problem, IEnumerable<string>? notes = null) =>
        new(null, null, "", null) { Problem = problem, Notes = [.. notes ?? []] };
}
