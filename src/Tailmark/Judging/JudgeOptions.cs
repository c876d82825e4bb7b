namespace Tailmark.Judging;

/// <summary>How the judge engine asks and decides. Defaults: per-criterion, one vote, temperature 0.</summary>
public sealed record JudgeOptions
{
    public JudgeMode Mode { get; init; } = JudgeMode.PerCriterion;

    /// <summary>Samples per criterion (k-sample majority vote). Vote i is asked with seed i.</summary>
    public int Votes { get; init; } = 1;

    public TiePolicy Ties { get; init; } = TiePolicy.CannotAssess;

    /// <summary>Temperature of judge calls; null means 0 for one vote and 0.7 for several.</summary>
    public double? Temperature { get; init; }

    /// <summary>Ask for log probabilities and report P(yes) from the verdict token.</summary>
    public bool Logprobs { get; init; }

    /// <summary>Output budget per criterion in a call.</summary>
    public int MaxTokensPerCriterion { get; init; } = 160;

    public double EffectiveTemperature => Temperature ?? (Votes > 1 ? 0.7 : 0);

    /// <summary>The output budget of a call about CRITERIA criteria: room for the JSON wrapper, then per criterion.</summary>
    public int OutputBudget(int criteria) => 64 + MaxTokensPerCriterion * criteria;

    public JudgeOptions Validated()
    {
        if (Votes is < 1 or > 64) throw new ArgumentOutOfRangeException(nameof(Votes), Votes, "between 1 and 64");
        if (MaxTokensPerCriterion < 16) throw new ArgumentOutOfRangeException(nameof(MaxTokensPerCriterion), MaxTokensPerCriterion, "at least 16");
        return this;
    }
}
