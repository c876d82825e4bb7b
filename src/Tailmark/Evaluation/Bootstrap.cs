namespace Tailmark.Evaluation;

/// <summary>The percentile bootstrap of a mean, as the evaluations report it (pair accuracy, the simulated RL loop).</summary>
public static class Bootstrap
{
    /// <summary>
    /// The means of <paramref name="resamples"/> resamples of <paramref name="values"/> (drawn with replacement, the same
    /// size), sorted, from a seeded generator: the same every time.
    /// </summary>
    public static double[] SortedMeans(IReadOnlyList<double> values, int resamples, int seed)
    {
        var random = new Random(seed);
        var means = new double[resamples];
        for (var s = 0; s < resamples; s++)
        {
            double sum = 0;
            for (var i = 0; i < values.Count; i++) sum += values[random.Next(values.Count)];
            means[s] = sum / values.Count;
        }
        Array.Sort(means);
        return means;
    }

    /// <summary>Linear interpolation between order statistics (numpy's default percentile).</summary>
    public static double Percentile(double[] sorted, double q)
    {
        var pos = q * (sorted.Length - 1);
        var lo = (int)Math.Floor(pos);
        var hi = Math.Min(lo + 1, sorted.Length - 1);
        return sorted[lo] + (pos - lo) * (sorted[hi] - sorted[lo]);
    }
}
