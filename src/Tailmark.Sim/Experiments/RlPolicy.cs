using System.Globalization;

namespace Tailmark.Sim.Experiments;

/// <summary>
/// The simulated policy of <c>experiment rl</c>: per task, an independent inclusion probability (a logit) for each of
/// the task's facets and for one artifact, the note to the grader. It starts from a generator's profile and learns
/// GRPO-style: each rollout's advantage is its reward's z-score within its task's group, and each logit moves by the
/// mean of advantage × (chosen − probability), the gradient of the Bernoulli log-likelihood. A response has room for
/// <see cref="RlOptions.LengthBudget"/> sentences: what the policy chooses beyond that is cut, so every sentence it spends on a
/// facet the reward pays for is one it cannot spend on another.
/// </summary>
public sealed class RlPolicy
{
    private const double MaxLogit = 8;
    private readonly Dictionary<string, double[]> _logits = new(StringComparer.Ordinal);
    private readonly RlOptions _options;

    public RlPolicy(IEnumerable<SimTask> tasks, GeneratorProfile start, RlOptions options)
    {
        _options = options;
        foreach (var t in tasks)
        {
            _logits[t.Id] = [.. t.Facets.Select(f => Logit(start.ChanceFor(f.Tier))), Logit(options.StartGraderNote)];
        }
    }

    /// <summary>One rollout: the actions chosen (facets in the task's order, then the grader note) and the response written.</summary>
    public sealed record Rollout(bool[] Chosen, string Response);

    public Rollout Sample(SimTask task, Random rng)
    {
        var p = Probabilities(task);
        var chosen = p.Select(x => rng.NextDouble() < x).ToArray();
        var picked = Enumerable.Range(0, chosen.Length).Where(i => chosen[i]).OrderBy(_ => rng.Next()).Take(_options.LengthBudget).ToList();
        var sentences = picked.Select(i => i < task.Facets.Length
            ? string.Format(CultureInfo.InvariantCulture, SimVocabulary.FacetSentences[rng.Next(SimVocabulary.FacetSentences.Length)], task.Facets[i].Phrase)
            : SimVocabulary.Injection);
        return new Rollout(chosen, $"Here is how I would approach {task.Topic}. " + string.Join(" ", sentences));
    }

    /// <summary>The GRPO step for one task's group; rollouts without a reward (not graded) take no part.</summary>
    public void Update(SimTask task, IReadOnlyList<(Rollout Rollout, double? Reward)> group)
    {
        var scored = group.Where(g => g.Reward is not null).ToList();
        if (scored.Count < 2) return;
        var mean = scored.Average(g => g.Reward!.Value);
        var sd = Math.Sqrt(scored.Average(g => Math.Pow(g.Reward!.Value - mean, 2)));
        if (sd < 1e-9) return; // all equal: no signal
        var p = Probabilities(task);
        var logits = _logits[task.Id];
        for (var a = 0; a < logits.Length; a++)
        {
            var gradient = scored.Average(g => (g.Reward!.Value - mean) / sd * ((g.Rollout.Chosen[a] ? 1 : 0) - p[a]));
            logits[a] = Math.Clamp(logits[a] + _options.LearningRate * gradient, -MaxLogit, MaxLogit);
        }
    }

    public double[] Probabilities(SimTask task) => [.. _logits[task.Id].Select(x => 1 / (1 + Math.Exp(-x)))];

    private static double Logit(double p)
    {
        var q = Math.Clamp(p, 1e-3, 1 - 1e-3);
        return Math.Log(q / (1 - q));
    }
}
