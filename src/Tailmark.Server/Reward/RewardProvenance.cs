namespace Tailmark.Server.Reward;

/// <summary>
/// What a reward was computed with: the instance rubric and the version of it that scored the item (one version for
/// the whole item, also while online refinement swaps versions), the judge model, the judge prompt's version and the
/// scoring preset. Written on every protocol (docs/server.md).
/// </summary>
public sealed record RewardProvenance(string RubricId, int RubricVersion, string Judge, string PromptVersion, string Scoring);
