namespace Tailmark.Scoring;

/// <summary>
/// Stage 3: diminishing returns. s(x) = (1 − e^(−kx)) / (1 − e^(−k)) is concave on [0,1] with s(0)=0, s(1)=1.
/// Per criterion: a positive criterion contributes w·s(v). Per category: a category with positive mass M and
/// earned E contributes M·s(E/M), shared among its criteria in proportion to w·v. Negative criteria are
/// never saturated.
/// </summary>
internal static class SaturationStage
{
    public static double Transform(double x, double k) => (1 - Math.Exp(-k * x)) / (1 - Math.Exp(-k));

    public static void Apply(ScoreWork work)
    {
        var k = work.Config.SaturationK;
        switch (work.Config.Saturation)
        {
            case SaturationScope.Criterion:
                foreach (var item in work.Counted.Where(i => i.Weight > 0))
                {
                    item.Contribution = item.Weight * Transform(item.Value, k);
                }
                break;
            case SaturationScope.Category:
                foreach (var group in work.Counted.Where(i => i.Weight > 0).GroupBy(i => i.Criterion.Category))
                {
                    var mass = group.Sum(i => i.Weight);
                    var earned = group.Sum(i => i.Weight * i.Value);
                    if (earned <= 0) continue;
                    var scale = mass * Transform(earned / mass, k) / earned;
                    foreach (var item in group) item.Contribution = item.Weight * item.Value * scale;
                }
                break;
        }
    }
}
