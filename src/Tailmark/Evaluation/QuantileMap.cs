using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Evaluation;

/// <summary>
/// A misspecification map of Theorem 1 in "Chasing the Tail": the proxy reward's quantile r = f(u) of a response
/// whose gold quantile is u. f must keep U(0,1) uniform, so it is piecewise linear with slope ±1 and its pieces'
/// images tile [0,1]. Built-in maps: <c>correct</c> (u), <c>reversed</c> (1−u), <c>top:C</c> (the top C reversed),
/// <c>worst:C</c> (the bottom C reversed); <c>file:PATH</c> reads segments <c>[[u0, u1, r0, r1], ...]</c>.
/// </summary>
public sealed record QuantileMap(string Name, ImmutableArray<(double U0, double U1, double R0, double R1)> Segments)
{
    public static QuantileMap Parse(string spec)
    {
        spec = spec.Trim();
        if (spec == "correct") return new(spec, [(0, 1, 0, 1)]);
        if (spec == "reversed") return new(spec, [(0, 1, 1, 0)]);
        if (spec.StartsWith("top:", StringComparison.Ordinal)) return Piecewise(spec, Fraction(spec[4..], spec), top: true);
        if (spec.StartsWith("worst:", StringComparison.Ordinal)) return Piecewise(spec, Fraction(spec[6..], spec), top: false);
        if (spec.StartsWith("file:", StringComparison.Ordinal)) return FromFile(spec[5..]);
        throw new FormatException($"unknown map '{spec}' (expected correct, reversed, top:C, worst:C or file:PATH)");
    }

    private static double Fraction(string text, string spec) =>
        double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var c) && c is > 0 and <= 1
            ? c
            : throw new FormatException($"'{spec}': C must be a fraction in (0, 1]");

    private static QuantileMap Piecewise(string name, double c, bool top) => top
        ? new(name, c >= 1 ? [(0, 1, 1, 0)] : [(0, 1 - c, 0, 1 - c), (1 - c, 1, 1, 1 - c)])
        : new(name, c >= 1 ? [(0, 1, 1, 0)] : [(0, c, c, 0), (c, 1, c, 1)]);

    private static QuantileMap FromFile(string path)
    {
        var docs = YamlJson.Parse(File.ReadAllText(path), path);
        var root = docs.Count == 1 ? docs[0].Json : default;
        var list = root.ValueKind == JsonValueKind.Object && root.TryGetProperty("segments", out var s) ? s : root;
        if (list.ValueKind != JsonValueKind.Array) throw new InputException(path, null, "segments", "expected a list of [u0, u1, r0, r1] segments");
        var segments = new List<(double, double, double, double)>();
        var i = 0;
        foreach (var seg in list.EnumerateArray())
        {
            var values = seg.ValueKind == JsonValueKind.Array ? seg.EnumerateArray().Where(v => v.ValueKind == JsonValueKind.Number).Select(v =>
                v.GetDouble()).ToArray() : [];
            if (values.Length != 4) throw new InputException(path, null, $"segments[{i}]", "expected four numbers [u0, u1, r0, r1]");
            segments.Add((values[0], values[1], values[2], values[3]));
            i++;
        }
        var map = new QuantileMap($"file:{path}", [.. segments]);
        map.Check(path);
        return map;
    }

    /// <summary>Rejects maps that do not keep U(0,1): domains must tile [0,1], slopes be ±1, images tile [0,1].</summary>
    public void Check(string where)
    {
        const double Eps = 1e-9;
        var byDomain = Segments.OrderBy(s => s.U0).ToList();
        var at = 0.0;
        for (var i = 0; i < byDomain.Count; i++)
        {
            var (u0, u1, r0, r1) = byDomain[i];
            if (Math.Abs(u0 - at) > Eps || !(u1 > u0)) throw new InputException(where, null, $"segments[{i}]",
                "the segments' domains must tile [0,1] in order without gaps or overlaps");
            if (Math.Abs(Math.Abs(r1 - r0) - (u1 - u0)) > Eps) throw new InputException(where, null, $"segments[{i}]",
                "each piece must have slope +1 or -1 so the proxy quantile stays uniform");
            at = u1;
        }
        if (Math.Abs(at - 1) > Eps) throw new InputException(where, null, "segments", "the domains must end at 1");
        var images = Segments.Select(s => (Low: Math.Min(s.R0, s.R1), High: Math.Max(s.R0, s.R1))).OrderBy(s => s.Low).ToList();
        at = 0;
        foreach (var (low, high) in images)
        {
            if (Math.Abs(low - at) > Eps) throw new InputException(where, null, "segments",
                "the images must tile [0,1] (each proxy quantile reached exactly once)");
            at = high;
        }
        if (Math.Abs(at - 1) > Eps) throw new InputException(where, null, "segments", "the images must end at 1");
    }
}
