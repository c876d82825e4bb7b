namespace Tailmark.Evaluation;

/// <summary>
/// Agreement of judge verdicts with binary labels, as HealthBench's meta-evaluation reports it: balanced (macro)
/// F1 — the mean of the F1 of "met" and the F1 of "not met" — and Cohen's kappa.
/// </summary>
public sealed record Agreement(int Items, int TruePositive, int FalsePositive, int FalseNegative, int TrueNegative)
{
    public static Agreement Of(IEnumerable<(bool Label, bool Judge)> pairs)
    {
        int tp = 0, fp = 0, fn = 0, tn = 0, n = 0;
        foreach (var (label, judge) in pairs)
        {
            n++;
            if (label && judge) tp++;
            else if (!label && judge) fp++;
            else if (label) fn++;
            else tn++;
        }
        return new Agreement(n, tp, fp, fn, tn);
    }

    private static double F1(int tp, int fp, int fn) => 2 * tp + fp + fn == 0 ? double.NaN : 2.0 * tp / (2 * tp + fp + fn);

    public double BalancedF1 => (F1(TruePositive, FalsePositive, FalseNegative) + F1(TrueNegative, FalseNegative, FalsePositive)) / 2;

    public double Kappa
    {
        get
        {
            if (Items == 0) return double.NaN;
            double n = Items;
            var observed = (TruePositive + TrueNegative) / n;
            var expected = ((TruePositive + FalsePositive) / n) * ((TruePositive + FalseNegative) / n) +
                           ((TrueNegative + FalseNegative) / n) * ((TrueNegative + FalsePositive) / n);
            return expected >= 1 ? double.NaN : (observed - expected) / (1 - expected);
        }
    }
}
