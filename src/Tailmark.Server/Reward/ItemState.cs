using Tailmark.Rubrics;

namespace Tailmark.Server.Reward;

/// <summary>What the reward service carries through the grading walk for one item: how its rubric was found, and the instance version it took.</summary>
internal sealed record ItemState(string FoundBy, Rubric Instance);
