using Tailmark.Grading;

namespace Tailmark.Building.Online;

/// <summary>
/// A rollout online refinement keeps for a prompt: its text, the traits it was graded with, and its reward under the
/// prompt's active version.
/// </summary>
public sealed record KeptRollout(string Text, PromptTraits Traits, double Reward);
