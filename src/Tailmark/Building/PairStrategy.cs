namespace Tailmark.Building;

/// <summary>Which two responses a refinement round contrasts.</summary>
public enum PairStrategy
{
    /// <summary>The two best by the current rubric.</summary>
    Top2,
    /// <summary>The best pair the current rubric scores equal (it cannot separate them); else the top two.</summary>
    Tied,
    /// <summary>The best response and the best one from a different generator; else the top two.</summary>
    Diverse,
}
