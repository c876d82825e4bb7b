namespace Tailmark.Sim;

/// <summary>How hard a facet is to get right, and so how much it is worth to the gold reward.</summary>
public enum FacetTier
{
    /// <summary>What any decent answer says (gold value 1).</summary>
    Basic,
    /// <summary>What a good answer adds (gold value 2).</summary>
    Advanced,
    /// <summary>What only an excellent answer has: the high-reward tail (gold value 3).</summary>
    Tail,
    /// <summary>A mistake (gold value −2).</summary>
    Error,
}
