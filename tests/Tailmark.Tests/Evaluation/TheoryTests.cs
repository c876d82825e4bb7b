using System.Text.Json;
using Tailmark.Evaluation;
using Tailmark.Io;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Evaluation;

/// <summary>Theorem 1 against the paper's example values and against brute-force numerical integration.</summary>
public sealed class TheoryTests
{
    [Theory]
    [InlineData("correct", 0.90005)]
    [InlineData("top:0.25", 0.81310)]
    [InlineData("top:0.5", 0.59531)]
    public void KlRegularized_PaperExamples(string map, double winRate)
    {
        var r = Theory.KlRegularized(QuantileMap.Parse(map), 0.1);
        // The paper gives five decimals; agree to within their last digit.
        Assert.InRange(r.Kl, 1.30308 - 1e-5, 1.30308 + 1e-5);
        Assert.InRange(r.WinRate, winRate - 1e-5, winRate + 1e-5);
    }

    [Theory]
    [InlineData("correct", 16.0 / 17)]
    [InlineData("top:0.25", 0.80543)]
    public void BestOf16_PaperExamples(string map, double winRate)
    {
        var r = Theory.BestOfN(QuantileMap.Parse(map), 16);
        Assert.InRange(r.Kl, 1.83509 - 1e-5, 1.83509 + 1e-5);
        Assert.InRange(r.WinRate, winRate - 1e-5, winRate + 1e-5);
    }

    public static IEnumerable<object[]> Cases() =>
        from map in new[] { "correct", "reversed", "top:0.1", "top:0.3", "worst:0.2", "worst:0.6" }
        from beta in new[] { 2.0, 0.5, 0.1, 0.03 }
        select new object[] { map, beta };

    [Theory]
    [MemberData(nameof(Cases))]
    public void KlRegularized_EqualsNumericalIntegration(string spec, double beta)
    {
        // Independent route: integrate over the proxy quantile v with the inverse map, by composite Simpson.
        Func<double, double> inverse = spec switch
        {
            "correct" => v => v,
            "reversed" => v => 1 - v,
            _ when spec.StartsWith("top:", StringComparison.Ordinal) => v => v <= 1 - C(spec) ? v : 2 - C(spec) - v,
            _ => v => v <= C(spec) ? C(spec) - v : v,
        };
        // Simpson on each piece separately: the inverse map jumps at its breakpoint.
        var breaks = spec switch
        {
            "correct" or "reversed" => new[] { 0.0, 1.0 },
            _ when spec.StartsWith("top:", StringComparison.Ordinal) => new[] { 0.0, 1 - C(spec), 1.0 },
            _ => new[] { 0.0, C(spec), 1.0 },
        };
        const int n = 100_000;
        double density(double v) => Math.Exp((v - 1) / beta);
        double weighted = 0, mass = 0, entropy = 0;
        for (var piece = 0; piece + 1 < breaks.Length; piece++)
        {
            var (a, b) = (breaks[piece], breaks[piece + 1]);
            var h = (b - a) / n;
            for (var i = 0; i <= n; i++)
            {
                // Evaluate just inside the piece so the jump belongs to the right side.
                var v = Math.Clamp(a + i * h, a + 1e-12, b - 1e-12);
                var w = (i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2) * h / 3;
                weighted += w * inverse(v) * density(v);
                mass += w * density(v);
                entropy += w * density(v) * (v - 1) / beta;
            }
        }
        var expected = weighted / mass;
        // KL = E[log p] with p = e^((v−1)/β) / mass (mass is ∫ e^((v−1)/β) dv).
        var kl = entropy / mass - Math.Log(mass);
        var r = Theory.KlRegularized(QuantileMap.Parse(spec), beta);
        Assert.Equal(expected, r.WinRate, 6);
        Assert.Equal(kl, r.Kl, 6);
    }

    [Theory]
    [InlineData("worst:0.25", 4)]
    [InlineData("top:0.1", 32)]
    [InlineData("reversed", 8)]
    public void BestOfN_EqualsNumericalIntegration(string spec, int bon)
    {
        var map = QuantileMap.Parse(spec);
        const int n = 100_000;
        double sum = 0;
        foreach (var (u0, u1, _, _) in map.Segments)
        {
            // Simpson on each piece separately: f jumps between pieces.
            var h = (u1 - u0) / n;
            for (var i = 0; i <= n; i++)
            {
                var u = Math.Clamp(u0 + i * h, u0 + 1e-12, u1 - 1e-12);
                var w = (i == 0 || i == n ? 1 : i % 2 == 1 ? 4 : 2) * h / 3;
                sum += w * u * bon * Math.Pow(F(map, u), bon - 1);
            }
        }
        Assert.Equal(sum, Theory.BestOfN(map, bon).WinRate, 6);
    }

    [Fact]
    public void FileMap_SwappingTwoHalves_IsAcceptedAndAgreesWithItsMeaning()
    {
        using var dir = new TempDir();
        // Proxy ranks the upper half of gold below the lower half: r = u + 0.5 on [0, 0.5), u − 0.5 on [0.5, 1].
        var path = dir.Write("map.json", "{\"segments\": [[0, 0.5, 0.5, 1], [0.5, 1, 0, 0.5]]}");
        var r = Theory.BestOfN(QuantileMap.Parse($"file:{path}"), 1);
        Assert.Equal(0.5, r.WinRate, 12); // n = 1 is the base policy
        Assert.True(Theory.BestOfN(QuantileMap.Parse($"file:{path}"), 64).WinRate < 0.5);
    }

    [Theory]
    [InlineData("[[0, 0.5, 0, 1], [0.5, 1, 0.5, 1]]", "slope")]
    [InlineData("[[0, 0.5, 0, 0.5], [0.5, 1, 0, 0.5]]", "images must tile")]
    [InlineData("[[0, 0.4, 0, 0.4]]", "end at 1")]
    public void FileMap_NotMeasurePreserving_IsRejected(string segments, string message)
    {
        using var dir = new TempDir();
        var path = dir.Write("map.json", segments);
        var ex = Assert.Throws<InputException>(() => QuantileMap.Parse($"file:{path}"));
        Assert.Contains(message, ex.Message, StringComparison.Ordinal);
    }

    [Trait("Tier", "Integration")]
    [Fact]
    public void Cli_Json_IsOneObjectWithTheValues()
    {
        var result = CliProcess.Run("theory", "--map", "top:0.25", "--beta", "0.1", "--json");
        Assert.Equal(0, result.ExitCode);
        var json = JsonDocument.Parse(result.Stdout).RootElement;
        Assert.Equal("top:0.25", json.GetProperty("map").GetString());
        Assert.Equal(0.81310, json.GetProperty("win_rate").GetDouble(), 5);
        Assert.Equal(2, CliProcess.Run("theory", "--map", "correct", "--beta", "0.1", "--bon", "4").ExitCode);
        Assert.Equal(2, CliProcess.Run("theory", "--map", "sideways:3", "--bon", "4").ExitCode);
    }

    private static double C(string spec) => double.Parse(spec[(spec.IndexOf(':') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    private static double F(QuantileMap map, double u)
    {
        foreach (var (u0, u1, r0, r1) in map.Segments)
        {
            if (u >= u0 && u <= u1) return r0 + Math.Sign(r1 - r0) * (u - u0);
        }
        throw new ArgumentOutOfRangeException(nameof(u));
    }
}
