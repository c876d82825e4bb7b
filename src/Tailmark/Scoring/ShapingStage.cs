namespace Tailmark.Scoring;

/// <summary>
/// Stages 6 and 7: clipping to [0,1], then shaping, a strictly increasing map of [0,1] onto itself.
/// Power: r^γ. Logistic: (σ(k(r−m)) − σ(−km)) / (σ(k(1−m)) − σ(−km)) with σ(x) = 1/(1+e^(−x)).
/// </summary>
internal static class ShapingStage
{
    public static void Apply(ScoreWork work)
    {
        if (work.Raw is not { } raw) return;
        if (work.Config.Clip) work.Clipped = Math.Clamp(raw, 0, 1);
        if (work.Config.Shaping == ShapingKind.None || work.Clipped is not { } r) return;
        work.Shaped = Shape(work.Config, r);
    }

    public static double Shape(ScoringConfig config, double r) => config.Shaping switch
    {
        ShapingKind.Power => Math.Pow(r, config.ShapingGamma),
        ShapingKind.Logistic => Logistic(r, config.ShapingK, config.ShapingMidpoint),
        _ => r,
    };

    private static double Logistic(double r, double k, double m)
    {
        static double Sigma(double x) => 1 / (1 + Math.Exp(-x));
        var low = Sigma(-k * m);
        var high = Sigma(k * (1 - m));
        return Math.Clamp((Sigma(k * (r - m)) - low) / (high - low), 0, 1);
    }
}
