namespace Tailmark.Scoring;

/// <summary>
/// Run-level summary of rewards, as HealthBench reports it: the mean over defined rewards (clipped to [0,1]
/// when the configuration says so) and its bootstrap standard deviation over resamples of the same size.
/// </summary>
public sealed record RunStatistics(int Count, int Undefined, double? Mean, double? BootstrapStd)
{
    public static RunStatistics Compute(IReadOnlyList<double?> rewards, bool clipMean, int resamples = 1000, int seed = 0)
    {
        var values = rewards.Where(r => r.HasValue).Select(r => r!.Value).ToArray();
        if (values.Length == 0) return new RunStatistics(rewards.Count, rewards.Count, null, null);
        double Stat(double mean) => clipMean ? Math.Clamp(mean, 0, 1) : mean;
        var mean = Stat(values.Average());
        var random = new Random(seed);
        var stats = new double[resamples];
        for (var s = 0; s < resamples; s++)
        {
            var sum = 0.0;
            for (var i = 0; i < values.Length; i++) sum += values[random.Next(values.Length)];
            stats[s] = Stat(sum / values.Length);
        }
        var avg = stats.Average();
        // Population standard deviation, as numpy's np.std computes it.
        var std = Math.Sqrt(stats.Sum(x => (x - avg) * (x - avg)) / stats.Length);
        return new RunStatistics(rewards.Count, rewards.Count - values.Length, mean, std);
    }
}
