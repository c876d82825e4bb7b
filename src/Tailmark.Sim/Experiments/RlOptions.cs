namespace Tailmark.Sim.Experiments;

/// <summary>The knobs of one run of <c>experiment rl</c> (docs/building.md, "The simulated RL loop").</summary>
public sealed record RlOptions
{
    public int Steps { get; init; } = 80;

    /// <summary>Rollouts per task per step (the GRPO group).</summary>
    public int Group { get; init; } = 8;

    public double LearningRate { get; init; } = 2;

    /// <summary>Sentences a response has room for (the length budget).</summary>
    public int LengthBudget { get; init; } = 6;

    /// <summary>The generator whose profile the policy starts from.</summary>
    public string Start { get; init; } = "sim-good";

    /// <summary>The starting chance of the note to the grader.</summary>
    public double StartGraderNote { get; init; } = 0.05;

    public RlOptions Validated()
    {
        if (Steps < 1) throw new ArgumentOutOfRangeException(nameof(Steps), Steps, "at least 1");
        if (Group < 2) throw new ArgumentOutOfRangeException(nameof(Group), Group, "at least 2 (advantages are relative to the group)");
        if (!(LearningRate > 0 && LearningRate <= 100)) throw new ArgumentOutOfRangeException(nameof(LearningRate), LearningRate, "in (0, 100]");
        if (LengthBudget < 1) throw new ArgumentOutOfRangeException(nameof(LengthBudget), LengthBudget, "at least 1 sentence");
        if (SimGenerators.Find(Start) is null) throw new ArgumentOutOfRangeException(nameof(Start), Start, "a simulated generator");
        if (!(StartGraderNote >= 0 && StartGraderNote <= 1)) throw new ArgumentOutOfRangeException(nameof(StartGraderNote), StartGraderNote, "in [0, 1]");
        return this;
    }
}
