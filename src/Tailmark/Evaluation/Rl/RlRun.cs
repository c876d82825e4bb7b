namespace Tailmark.Evaluation.Rl;

/// <summary>One run of the simulated RL loop: a configuration (how the reward's rubrics are kept) on one world seed.</summary>
public sealed record RlRun(string Config, int Seed, IReadOnlyList<RlStep> Steps);
