using Tailmark.Grading;

namespace Tailmark.Building.Online;

/// <summary>A rollout online refinement keeps for a prompt: its text, the traits it was graded with, and its reward under the version named.</summary>
public sealed record KeptRollout(string Text, PromptTraits Traits, int Version, double Reward);
