using System.Collections.Immutable;

namespace Tailmark.Sim;

/// <summary>
/// The seeded world: tasks with hidden facets. Task i of a seed is always the same task, however many tasks are
/// asked for. The gold reward of any response text is recovered from the text alone: the facets whose phrases
/// it contains.
/// </summary>
public sealed class SimWorld
{
    private readonly Dictionary<string, SimTask> _byPrompt;
    private readonly Dictionary<string, SimTask> _byId;

    public SimWorld(int seed, int taskCount)
    {
        if (taskCount < 1) throw new ArgumentOutOfRangeException(nameof(taskCount), "a world needs at least one task");
        Seed = seed;
        Tasks = [.. Enumerable.Range(0, taskCount).Select(i => MakeTask(seed, i))];
        _byPrompt = Tasks.ToDictionary(t => t.Prompt, StringComparer.Ordinal);
        _byId = Tasks.ToDictionary(t => t.Id, StringComparer.Ordinal);
    }

    public int Seed { get; }
    public ImmutableArray<SimTask> Tasks { get; }

    public SimTask? TaskById(string id) => _byId.GetValueOrDefault(id);

    /// <summary>The task whose prompt appears in the text (the conversation of a request).</summary>
    public SimTask? FindTask(string text)
    {
        foreach (var t in Tasks)
        {
            if (text.Contains(t.Prompt, StringComparison.Ordinal)) return t;
        }
        return null;
    }

    public SimTask? TaskByPrompt(string prompt) => _byPrompt.GetValueOrDefault(prompt);

    /// <summary>The facets a response contains (its phrase, case-insensitively).</summary>
    public static IEnumerable<Facet> FacetsIn(SimTask task, string response)
    {
        var lower = response.ToLowerInvariant();
        return task.Facets.Where(f => lower.Contains(f.Phrase, StringComparison.Ordinal));
    }

    /// <summary>
    /// Gold reward: (value of the good facets present − |value| of the errors present) / value of all good facets.
    /// Artifacts (praise, self-praise, formatting, length) are worth nothing. Ranges from below 0 to 1.
    /// </summary>
    public static double Gold(SimTask task, string response) =>
        FacetsIn(task, response).Sum(f => f.Value) / task.PositiveMass;

    private static SimTask MakeTask(int seed, int index)
    {
        var rng = SimHash.Random(seed, "task", index);
        var domain = SimVocabulary.Domains[index % SimVocabulary.Domains.Length];
        var topic = domain.Topics[rng.Next(domain.Topics.Length)];
        var audience = SimVocabulary.Audiences[rng.Next(SimVocabulary.Audiences.Length)];
        var template = SimVocabulary.PromptTemplates[rng.Next(SimVocabulary.PromptTemplates.Length)];
        // The task number keeps prompts unique even when topic and audience repeat.
        var prompt = string.Format(System.Globalization.CultureInfo.InvariantCulture, template, audience, topic) + $" (case {index + 1})";
        var objects = domain.Objects.OrderBy(_ => rng.Next()).Take(11).ToArray();
        var facets = ImmutableArray.CreateBuilder<Facet>();
        var tiers = new[] { (FacetTier.Basic, 4, 1.0), (FacetTier.Advanced, 3, 2.0), (FacetTier.Tail, 2, 3.0), (FacetTier.Error, 2, -2.0) };
        var o = 0;
        foreach (var (tier, count, value) in tiers)
        {
            for (var k = 0; k < count; k++)
            {
                var verb = tier == FacetTier.Error
                    ? domain.ErrorVerbs[rng.Next(domain.ErrorVerbs.Length)]
                    : SimVocabulary.Verbs[rng.Next(SimVocabulary.Verbs.Length)];
                var qualifier = SimVocabulary.Qualifiers[rng.Next(SimVocabulary.Qualifiers.Length)];
                facets.Add(new Facet($"f{o + 1}", tier, verb, objects[o], qualifier, value));
                o++;
            }
        }
        return new SimTask($"sim-{seed}-{index + 1:D4}", domain.Name, topic, prompt, facets.ToImmutable());
    }
}
