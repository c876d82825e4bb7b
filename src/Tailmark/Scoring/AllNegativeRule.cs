namespace Tailmark.Scoring;

/// <summary>How a rubric whose criteria are all negative is scored under positive normalization.</summary>
public enum AllNegativeRule
{
    /// <summary>Start from 1 and subtract the met share of the penalty mass: 1 + Σ w·v / Σ|w|.</summary>
    FromOne,
    /// <summary>The reward is undefined (null), as in HealthBench, where such an example has no score.</summary>
    Undefined,
}
