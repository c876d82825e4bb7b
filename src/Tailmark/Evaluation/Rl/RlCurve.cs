namespace Tailmark.Evaluation.Rl;

/// <summary>
/// What one run's curves say about over-optimization. Gold and proxy are smoothed by a centred moving average over
/// <see cref="Smoothing"/> steps (single steps are noisy); the peak is where smoothed gold is highest (the first such
/// step), the end is the mean of the last <see cref="Smoothing"/> steps.
/// </summary>
public sealed record RlCurve(int PeakStep, double PeakGold, double FinalGold, double ProxyAtPeak, double FinalProxy, int Refinements)
{
    public const int Smoothing = 5;

    /// <summary>How far gold fell from its peak by the end.</summary>
    public double Fall => PeakGold - FinalGold;

    /// <summary>How far proxy rose from the gold peak to the end.</summary>
    public double ProxyRise => FinalProxy - ProxyAtPeak;

    public static RlCurve Of(IReadOnlyList<RlStep> steps)
    {
        if (steps.Count == 0) throw new ArgumentException("a run without steps", nameof(steps));
        var gold = Smooth(steps.Select(s => s.Gold).ToList());
        var proxy = Smooth(steps.Select(s => s.Proxy).ToList());
        var peak = 0;
        for (var i = 1; i < gold.Count; i++) if (gold[i] > gold[peak]) peak = i;
        var tail = steps.Skip(Math.Max(0, steps.Count - Smoothing)).ToList();
        return new RlCurve(steps[peak].Step, gold[peak], tail.Average(s => s.Gold), proxy[peak], tail.Where(s => !double.IsNaN(s.Proxy)).Select(s => s.Proxy)
            .DefaultIfEmpty(double.NaN).Average(), steps.Sum(s => s.Refined));
    }

    /// <summary>Centred moving average; at the ends, over the steps there are. NaN (a step with nothing graded) is left out.</summary>
    public static List<double> Smooth(IReadOnlyList<double> values)
    {
        var half = Smoothing / 2;
        return [.. values.Select((_, i) =>
        {
            var window = values.Skip(Math.Max(0, i - half)).Take(Math.Min(values.Count, i + half + 1) - Math.Max(0, i - half)).Where(v => !double.IsNaN(v))
                .ToList();
            return window.Count == 0 ? double.NaN : window.Average();
        })];
    }
}
