namespace Tailmark.Evaluation.Rl;

/// <summary>
/// The simulated RL loop's runs summed up per configuration over seeds (<see cref="RlCurve"/> per run, then
/// <see cref="RlInterval"/> over seeds), and each configuration compared with the baseline on the same seeds: how much
/// later and how much higher its gold peak is (paired by seed).
/// </summary>
public sealed record RlSummary(string Config, int Seeds, RlInterval PeakStep, RlInterval PeakGold, RlInterval FinalGold, RlInterval Fall,
    RlInterval FinalProxy, RlInterval ProxyRise, RlInterval Refinements, RlInterval? PeakLaterThanBaseline, RlInterval? PeakHigherThanBaseline)
{
    /// <summary>The configuration the others are compared with.</summary>
    public const string Baseline = "static prompt-only";

    public static IReadOnlyList<RlSummary> Of(IReadOnlyList<RlRun> runs)
    {
        var curves = runs.GroupBy(r => r.Config).ToDictionary(g => g.Key, g => g.ToDictionary(r => r.Seed, r => RlCurve.Of(r.Steps)));
        curves.TryGetValue(Baseline, out var baseline);
        return [.. curves.Select(kv =>
        {
            var c = kv.Value.Values.ToList();
            RlInterval? Paired(Func<RlCurve, double> metric)
            {
                if (baseline is null || kv.Key == Baseline) return null;
                var diffs = kv.Value.Where(s => baseline.ContainsKey(s.Key)).Select(s => metric(s.Value) - metric(baseline[s.Key])).ToList();
                return diffs.Count == 0 ? null : RlInterval.Of(diffs);
            }
            return new RlSummary(kv.Key, c.Count, RlInterval.Of([.. c.Select(x => (double)x.PeakStep)]), RlInterval.Of([.. c.Select(x => x.PeakGold)]),
                RlInterval.Of([.. c.Select(x => x.FinalGold)]), RlInterval.Of([.. c.Select(x => x.Fall)]), RlInterval.Of([.. c.Select(x => x.FinalProxy)]),
                RlInterval.Of([.. c.Select(x => x.ProxyRise)]), RlInterval.Of([.. c.Select(x => (double)x.Refinements)]),
                Paired(x => x.PeakStep), Paired(x => x.PeakGold));
        })];
    }
}
