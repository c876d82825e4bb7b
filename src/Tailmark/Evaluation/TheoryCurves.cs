namespace Tailmark.Evaluation;

/// <summary>
/// Win rate against KL for several quantile maps (the paper's Figure 2): the KL-regularized optimum over a grid of β
/// from 10 down to 0.01, and best-of-n for n = 1, 2, 4, ..., 1024.
/// </summary>
public static class TheoryCurves
{
    public const string KlRegularized = "kl-regularized";
    public const string BestOfN = "best-of-n";

    public static readonly IReadOnlyList<string> Maps = ["correct", "top:0.1", "top:0.25", "top:0.5", "worst:0.25", "worst:0.5", "reversed"];

    public static IReadOnlyList<TheoryCurvePoint> Compute(IEnumerable<string>? maps = null)
    {
        var points = new List<TheoryCurvePoint>();
        foreach (var m in maps ?? Maps)
        {
            var map = QuantileMap.Parse(m);
            for (var i = 0; i <= 60; i++)
            {
                var beta = Math.Pow(10, 1 - i * 0.05);
                var r = Theory.KlRegularized(map, beta);
                points.Add(new TheoryCurvePoint(KlRegularized, m, beta, r.Kl, r.WinRate));
            }
            for (var n = 1; n <= 1024; n *= 2)
            {
                var r = Theory.BestOfN(map, n);
                points.Add(new TheoryCurvePoint(BestOfN, m, n, r.Kl, r.WinRate));
            }
        }
        return points;
    }
}
