namespace Tailmark.Evaluation.Rl;

/// <summary>A mean over seeds with its 95% percentile-bootstrap interval (seeds resampled with replacement).</summary>
public sealed record RlInterval(double Mean, double Low, double High)
{
    public const int Resamples = 2000;

    /// <summary>The interval of the mean of <paramref name="values"/>; the resampling is seeded, so it is the same every time.</summary>
    public static RlInterval Of(IReadOnlyList<double> values, int seed = 20261202)
    {
        if (values.Count == 0) return new RlInterval(double.NaN, double.NaN, double.NaN);
        var random = new Random(seed);
        var means = new double[Resamples];
        for (var r = 0; r < Resamples; r++)
        {
            var sum = 0.0;
            for (var i = 0; i < values.Count; i++) sum += values[random.Next(values.Count)];
            means[r] = sum / values.Count;
        }
        Array.Sort(means);
        return new RlInterval(values.Average(), means[(int)(0.025 * (Resamples - 1))], means[(int)Math.Ceiling(0.975 * (Resamples - 1))]);
    }

    /// <summary>The whole interval lies above zero.</summary>
    public bool AboveZero => Low > 0;

    public override string ToString() => FormattableString.Invariant($"{Mean:0.###} [{Low:0.###}, {High:0.###}]");
}
