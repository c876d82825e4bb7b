using Tailmark.Evaluation;

namespace Tailmark.Tests.Evaluation;

public sealed class BestOfNTests
{
    // One prompt: proxies 0.2, 0.5, 0.5, 0.9 with gold 0.1, 0.4, 0.8, 0.3 (the proxy's favourite is a poor response).
    private static readonly BestOfN.Candidate[] Pool =
    [
        new("p", 0.2, 0.1), new("p", 0.5, 0.4), new("p", 0.5, 0.8), new("p", 0.9, 0.3),
    ];

    [Fact]
    public void Curve_HandComputedWithTies()
    {
        var curve = BestOfN.Curve(Pool, 3);
        // n = 1: the pool means.
        Assert.Equal(0.525, curve[0].Proxy, 12);
        Assert.Equal(0.4, curve[0].Gold, 12);
        // n = 2: levels 0.2, 0.5, 0.9 with P = 1/16, 9/16 − 1/16, 1 − 9/16; the tied level's mean gold is 0.6.
        Assert.Equal(0.0625 * 0.2 + 0.5 * 0.5 + 0.4375 * 0.9, curve[1].Proxy, 12);
        Assert.Equal(0.0625 * 0.1 + 0.5 * 0.6 + 0.4375 * 0.3, curve[1].Gold, 12);
        Assert.Equal(Math.Log(3) - 2.0 / 3, curve[2].Kl, 12);
        Assert.Equal(2, BestOfN.GoldPeak(curve)); // gold falls after n = 2 while the proxy keeps rising
    }

    [Theory]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(4)]
    public void Curve_EqualsEnumerationOfEveryDraw(int n)
    {
        // Independent route: every ordered n-tuple of draws, the max-proxy draws sharing the pick equally.
        double proxy = 0, gold = 0;
        var tuples = (int)Math.Pow(Pool.Length, n);
        for (var t = 0; t < tuples; t++)
        {
            var draw = new List<BestOfN.Candidate>();
            for (int k = 0, x = t; k < n; k++, x /= Pool.Length) draw.Add(Pool[x % Pool.Length]);
            var best = draw.Max(c => c.Proxy!.Value);
            var winners = draw.Where(c => c.Proxy == best).ToList();
            proxy += best / tuples;
            gold += winners.Average(c => c.Gold) / tuples;
        }
        var point = BestOfN.Curve(Pool, n)[n - 1];
        Assert.Equal(proxy, point.Proxy, 12);
        Assert.Equal(gold, point.Gold, 12);
    }

    [Fact]
    public void Curve_AveragesPromptsAndRanksUndefinedLowest()
    {
        var pool = new[] { new BestOfN.Candidate("a", null, 1.0), new BestOfN.Candidate("a", 0.1, 0.0), new BestOfN.Candidate("b", 0.5, 0.5) };
        var curve = BestOfN.Curve(pool, 2);
        // Prompt a, n = 2: the scored response wins unless both draws are the unscored one (1/4): gold = 1/4·1 + 3/4·0.
        Assert.Equal((0.25 + 0.5) / 2, curve[1].Gold, 12);
    }
}
