namespace Tailmark.Scoring;

public enum ShapingKind
{
    None,
    /// <summary>r^γ; γ &gt; 1 spreads the top of the range apart.</summary>
    Power,
    /// <summary>A logistic curve centred at a midpoint, rescaled so that 0 ↦ 0 and 1 ↦ 1.</summary>
    Logistic,
}
