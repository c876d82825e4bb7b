namespace Tailmark.Evaluation.Rl;

/// <summary>A mean over seeds with its 95% percentile-bootstrap interval (seeds resampled with replacement).</summary>
public sealed record RlInterval(double Mean, double Low, double High)
{
    public const int Resamples = 2000;

    /// <summary>The interval of the mean of <paramref name="values"/>; the resampling is seeded, so it is the same every time.</summary>
    public static RlInterval Of(IReadOnlyList<double> values, int seed = 20261202)
    {
        if (values.Count == 0) return new RlInterval(double.NaN, double.NaN, double.NaN);
        var means = Bootstrap.SortedMeans(values, Resamples, seed);
        return new RlInterval(values.Average(), Bootstrap.Percentile(means, 0.025), Bootstrap.Percentile(means, 0.975));
    }

    public override string ToString() => FormattableString.Invariant($"{Mean:0.###} [{Low:0.###}, {High:0.###}]");
}
