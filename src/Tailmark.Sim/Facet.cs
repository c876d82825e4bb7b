namespace Tailmark.Sim;

/// <summary>
/// A hidden facet of a task: a short phrase a response either contains or not, its tier and gold value. The
/// object noun phrase is unique within the task, so a criterion that names it names this facet.
/// </summary>
public sealed record Facet(string Id, FacetTier Tier, string Verb, string Object, string Qualifier, double Value)
{
    /// <summary>The phrase as responses write it, e.g. "check sodium intake before each meal".</summary>
    public string Phrase => $"{Verb} {Object} {Qualifier}";

    public bool IsError => Tier == FacetTier.Error;
}
