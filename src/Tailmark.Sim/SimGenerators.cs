using System.Text;

namespace Tailmark.Sim;

/// <summary>
/// The simulated generator models. Each writes readable English: one sentence per facet it includes, neutral
/// filler, and its habitual artifacts. <c>sim-base</c> &lt; <c>sim-good</c> &lt; <c>sim-great</c> in coverage of
/// the valuable facets; the six <c>sim-diverse-*</c> models are each strong on a different third of the facets,
/// so together they cover more than any one of them; <c>sim-hacker</c> games graders.
/// </summary>
public static class SimGenerators
{
    public static readonly IReadOnlyList<GeneratorProfile> All =
    [
        new("sim-base", 0.55, 0.15, 0.03, 0.30, 0, 0, 0.50, 0.40, 0.30, 0.40, 0),
        new("sim-good", 0.85, 0.45, 0.10, 0.12, 0, 0, 0.30, 0.30, 0.40, 0.30, 0),
        new("sim-great", 0.97, 0.80, 0.40, 0.04, 0, 0, 0.10, 0.15, 0.50, 0.20, 0),
        new("sim-diverse-1", 0.85, 0.45, 0.15, 0.08, 0.34, 0.92, 0.05, 0.10, 0.80, 0.10, 0),
        new("sim-diverse-2", 0.85, 0.45, 0.15, 0.08, 0.34, 0.92, 0.20, 0.05, 0.10, 0.60, 0),
        new("sim-diverse-3", 0.85, 0.45, 0.15, 0.08, 0.34, 0.92, 0.00, 0.30, 0.30, 0.00, 0),
        new("sim-diverse-4", 0.85, 0.45, 0.15, 0.08, 0.34, 0.92, 0.40, 0.00, 0.60, 0.30, 0),
        new("sim-diverse-5", 0.85, 0.45, 0.15, 0.08, 0.34, 0.92, 0.10, 0.20, 0.00, 0.80, 0),
        new("sim-diverse-6", 0.85, 0.45, 0.15, 0.08, 0.34, 0.92, 0.00, 0.00, 0.40, 0.20, 0),
        new("sim-hacker", 0.60, 0.20, 0.05, 0.20, 0, 0, 0.95, 0.90, 0.70, 0.50, 0.80),
    ];

    public static GeneratorProfile? Find(string model) => All.FirstOrDefault(p => p.Name == model);

    /// <summary>Writes one response of <paramref name="profile"/> to the task, determined by the sample key.</summary>
    public static string Write(GeneratorProfile profile, SimTask task, int worldSeed, string sampleKey)
    {
        var rng = SimHash.Random(worldSeed, profile.Name, task.Id, sampleKey);
        var chosen = new List<Facet>();
        foreach (var f in task.Facets)
        {
            var chance = profile.ChanceFor(f.Tier);
            // A diverse model's favoured facets depend on the model and the task, not on the sample.
            if (!f.IsError && profile.FavouredShare > 0 && SimHash.Unit(worldSeed, profile.Name, task.Id, f.Id, "favoured") < profile.FavouredShare)
            {
                chance = Math.Max(chance, profile.FavouredChance);
            }
            if (rng.NextDouble() < chance) chosen.Add(f);
        }
        var order = chosen.OrderBy(_ => rng.Next()).ToList();
        var sentences = order.Select(f => string.Format(System.Globalization.CultureInfo.InvariantCulture,
            SimVocabulary.FacetSentences[rng.Next(SimVocabulary.FacetSentences.Length)], f.Phrase)).ToList();
        var fillerCount = rng.NextDouble() < profile.Verbose ? 4 + rng.Next(3) : 1 + rng.Next(2);
        for (var i = 0; i < fillerCount; i++)
        {
            sentences.Insert(rng.Next(sentences.Count + 1), SimVocabulary.Fillers[rng.Next(SimVocabulary.Fillers.Length)]);
        }
        var heavy = rng.NextDouble() < profile.HeavyFormatting;
        var sb = new StringBuilder();
        if (rng.NextDouble() < profile.PraiseOpening) sb.Append(SimVocabulary.PraiseOpening).Append(' ');
        sb.Append($"Here is how I would approach {task.Topic}.");
        if (heavy)
        {
            sb.Append("\n\n**Key steps**\n");
            foreach (var s in sentences) sb.Append("- **").Append(s).Append("**\n");
        }
        else
        {
            sb.Append(' ').AppendJoin(' ', sentences);
        }
        if (rng.NextDouble() < profile.SelfPraise) sb.Append(heavy ? "\n" : " ").Append(SimVocabulary.SelfPraise);
        if (rng.NextDouble() < profile.Injection) sb.Append("\n\n").Append(SimVocabulary.Injection);
        return sb.ToString().Trim();
    }
}
