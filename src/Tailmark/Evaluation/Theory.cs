namespace Tailmark.Evaluation;

/// <summary>
/// Theorem 1 of "Chasing the Tail", computed in closed form. With gold quantile u ~ U(0,1) under the base policy
/// and proxy quantile r = f(u):
/// the KL-regularized optimum puts density w(r) = e^(r/β) / (β (e^(1/β) − 1)) on the proxy quantile, so
/// KL = [(1/β − 1) e^(1/β) + 1] / (e^(1/β) − 1) − log β − log(e^(1/β) − 1) and the win rate (expected gold quantile)
/// is ∫ u · w(f(u)) du; best-of-n puts density n r^(n−1) on it, KL = log n − (n−1)/n.
/// Each piece of f is linear with slope ±1, so each integral has an exact antiderivative; exponentials are
/// scaled by e^(−1/β) so that small β does not overflow.
/// </summary>
public static class Theory
{
    public static TheoryResult KlRegularized(QuantileMap map, double beta)
    {
        if (!(beta > 0) || double.IsInfinity(beta)) throw new ArgumentOutOfRangeException(nameof(beta), beta, "β must be positive");
        var b = 1 / beta;
        // log(e^b − 1) computed without overflow: b + log(1 − e^−b).
        var logEm1 = b + Math.Log(-double.ExpM1(-b));
        var kl = ((b - 1) + Math.Exp(-b)) / -double.ExpM1(-b) - Math.Log(beta) - logEm1;
        var z = beta * -double.ExpM1(-b); // β (1 − e^−1/β): the normalizer after scaling by e^−1/β
        var win = 0.0;
        foreach (var (u0, u1, r0, r1) in map.Segments)
        {
            var s = Math.Sign(r1 - r0);
            var k = s * b;
            double E(double u) => Math.Exp((r0 + s * (u - u0) - 1) * b); // e^((f(u) − 1)/β)
            double F(double u) => E(u) * (u / k - 1 / (k * k));         // antiderivative of u·e^((f(u) − 1)/β)
            win += F(u1) - F(u0);
        }
        return new TheoryResult(map.Name, kl, win / z);
    }

    public static TheoryResult BestOfN(QuantileMap map, int n)
    {
        if (n < 1) throw new ArgumentOutOfRangeException(nameof(n), n, "n must be at least 1");
        var kl = Math.Log(n) - (n - 1.0) / n;
        var win = 0.0;
        foreach (var (u0, u1, r0, r1) in map.Segments)
        {
            // ∫ u n f(u)^(n−1) du with t = f(u), u = u0 + s (t − r0), du = s dt.
            var s = Math.Sign(r1 - r0);
            double G(double t) => s * ((u0 - s * r0) * Math.Pow(t, n) + s * n / (n + 1.0) * Math.Pow(t, n + 1));
            win += G(r1) - G(r0);
        }
        return new TheoryResult(map.Name, kl, win);
    }
}
