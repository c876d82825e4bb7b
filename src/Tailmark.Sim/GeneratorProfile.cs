namespace Tailmark.Sim;

/// <summary>
/// How a simulated generator writes: the chance of including a facet of each tier, how strongly it favours its
/// own share of facets (the diverse models), its artifacts and its style.
/// </summary>
public sealed record GeneratorProfile(
    string Name,
    double Basic,
    double Advanced,
    double Tail,
    double Error,
    double FavouredShare,
    double FavouredChance,
    double PraiseOpening,
    double SelfPraise,
    double HeavyFormatting,
    double Verbose,
    double Injection)
{
    public double ChanceFor(FacetTier tier) => tier switch
    {
        FacetTier.Basic => Basic,
        FacetTier.Advanced => Advanced,
        FacetTier.Tail => Tail,
        _ => Error,
    };
}
