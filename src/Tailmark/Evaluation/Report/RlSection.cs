using System.Globalization;
using Tailmark.Evaluation.Rl;

namespace Tailmark.Evaluation.Report;

/// <summary>
/// The simulated RL loop (<c>rl.json</c> from <c>tailmark experiment rl --out DIR</c>): per configuration, gold and proxy
/// per step averaged over seeds, where gold peaks, the refinements the server accepted, the audit's gap, and the
/// summary with bootstrap intervals over seeds.
/// </summary>
public static class RlSection
{
    public static ReportSection Build(IReadOnlyDictionary<string, string> settings, IReadOnlyList<RlRun> runs)
    {
        var configs = runs.Select(r => r.Config).Distinct().ToList();
        IEnumerable<(double X, double Y)> Mean(string config, Func<RlStep, double> value)
        {
            var mine = runs.Where(r => r.Config == config).ToList();
            var count = mine.Min(r => r.Steps.Count);
            for (var i = 0; i < count; i++)
            {
                var values = mine.Select(r => value(r.Steps[i])).Where(v => !double.IsNaN(v)).ToList();
                if (values.Count > 0) yield return (mine[0].Steps[i].Step, values.Average());
            }
        }
        var curves = new List<System.Text.Json.Nodes.JsonObject>();
        for (var c = 0; c < configs.Count; c++)
        {
            curves.Add(ChartSpec.LineDataset($"{configs[c]}: gold", Mean(configs[c], s => s.Gold), c));
            curves.Add(ChartSpec.LineDataset($"{configs[c]}: proxy", Mean(configs[c], s => s.Proxy), c, dashed: true));
        }
        var charts = new List<ReportChart>
        {
            new("rl-gold", "Gold reward (solid, from the world) and proxy reward (dashed, from the reward server) per training step, mean over seeds. " +
                "Over-optimization is where proxy keeps rising while gold falls.", ChartSpec.Lines(curves, "training step", "reward", yMin: 0, yMax: 1)),
            new("rl-events", "Refinements accepted by the server per step (summed over seeds), and the share of rollouts carrying a note to the grader.",
                ChartSpec.Lines([.. configs.Select((c, i) => ChartSpec.LineDataset($"{c}: refinements", Mean(c, s => s.Refined).Select(p =>
                        (p.X, p.Y * runs.Count(r => r.Config == c))), i)),
                    .. configs.Select((c, i) => ChartSpec.LineDataset($"{c}: grader notes", Mean(c, s => s.GraderNotes), i, dashed: true, yAxis: "y1"))],
                    "training step", "refinements accepted", "share with a grader note")),
        };
        if (runs.Any(r => r.Steps.Any(s => !double.IsNaN(s.AuditGap))))
        {
            charts.Add(new ReportChart("rl-audit", "The audit's gap (training minus reference reward of audited rollouts) per step, mean over seeds.",
                ChartSpec.Lines([.. configs.Select((c, i) => (c, i)).Where(x => runs.Any(r => r.Config == x.c && r.Steps.Any(s => !double.IsNaN(s.AuditGap))))
                    .Select(x => ChartSpec.LineDataset(x.c, Mean(x.c, s => s.AuditGap), x.i))], "training step", "training − reference")));
        }
        var summary = RlSummary.Of(runs);
        var table = new ReportTable("Per configuration, means over seeds with bootstrap 95% intervals; the last two columns are paired by seed.",
            ["configuration", "seeds", "gold peak step", "gold at peak", "gold at end", "gold fall", "proxy at end", "proxy rise after peak", "refinements",
                "peak later than prompt-only", "peak higher than prompt-only"],
            [.. summary.Select(s => (IReadOnlyList<string>)[s.Config, s.Seeds.ToString(CultureInfo.InvariantCulture), s.PeakStep.ToString(),
                s.PeakGold.ToString(), s.FinalGold.ToString(), s.Fall.ToString(), s.FinalProxy.ToString(), s.ProxyRise.ToString(), s.Refinements.ToString(),
                s.PeakLaterThanBaseline?.ToString() ?? "-", s.PeakHigherThanBaseline?.ToString() ?? "-"])]);
        var described = string.Join(", ", settings.Select(kv => $"{kv.Key} {kv.Value}"));
        return new ReportSection("Simulated RL",
            $"From {RlFile.Name}: {runs.Count} runs ({described}). On the simulated world this shows the machinery working — the policy, the reward " +
            "server, online refinement and the audit — not the paper's empirical claim about real models.", charts, [table]);
    }
}
