using System.Collections.Immutable;

namespace Tailmark.Sim;

/// <summary>A seeded task: a prompt and its hidden facets.</summary>
public sealed record SimTask(string Id, string Domain, string Topic, string Prompt, ImmutableArray<Facet> Facets)
{
    public double PositiveMass => Facets.Where(f => f.Value > 0).Sum(f => f.Value);

    public Facet? FindByObject(string lowerText) =>
        Facets.FirstOrDefault(f => lowerText.Contains(f.Object, StringComparison.Ordinal));
}
