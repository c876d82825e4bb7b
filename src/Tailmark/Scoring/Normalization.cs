namespace Tailmark.Scoring;

public enum Normalization
{
    /// <summary>Divide by the sum of positive weights (HealthBench, Chasing the Tail).</summary>
    Positive,
    /// <summary>Divide by the sum of absolute weights.</summary>
    Absolute,
}
