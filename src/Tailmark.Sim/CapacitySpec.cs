namespace Tailmark.Sim;

/// <summary>
/// The serving capacity the simulated server imitates: concurrent slots, prefill and decode token rates per
/// slot, and whether a prefix cache serves repeated request prefixes for free. Parsed from
/// <c>slots=64,prefill_tps=20000,decode_tps=2000,prefix_cache=on</c>; <see cref="Unlimited"/> answers at once.
/// </summary>
public sealed record CapacitySpec(int Slots, double PrefillTokensPerSecond, double DecodeTokensPerSecond, bool PrefixCache)
{
    public static readonly CapacitySpec Unlimited = new(int.MaxValue, double.PositiveInfinity, double.PositiveInfinity, true);

    public bool IsUnlimited => double.IsPositiveInfinity(PrefillTokensPerSecond) && double.IsPositiveInfinity(DecodeTokensPerSecond);

    public static CapacitySpec Parse(string? spec)
    {
        if (string.IsNullOrWhiteSpace(spec) || spec.Trim() == "unlimited") return Unlimited;
        var v = SpecParser.Parse(spec, "--capacity", ["slots", "prefill_tps", "decode_tps", "prefix_cache"]);
        var slots = (int)SpecParser.Positive(v, "slots", 64, "--capacity");
        var cache = !v.TryGetValue("prefix_cache", out var c) || c is "on" or "true" or "1";
        if (v.TryGetValue("prefix_cache", out var c2) && c2 is not ("on" or "off" or "true" or "false" or "1" or "0"))
        {
            throw new FormatException($"--capacity: prefix_cache must be on or off, not '{c2}'");
        }
        return new CapacitySpec(slots, SpecParser.Positive(v, "prefill_tps", 20000, "--capacity"), SpecParser.Positive(v, "decode_tps", 2000, "--capacity"),
            cache);
    }

    /// <summary>How long one slot is busy with a request: uncached prompt tokens at the prefill rate plus completion tokens at the decode rate.</summary>
    public TimeSpan ServiceTime(int promptTokens, int cachedTokens, int completionTokens) =>
        IsUnlimited ? TimeSpan.Zero : TimeSpan.FromSeconds((promptTokens - cachedTokens) / PrefillTokensPerSecond + completionTokens / DecodeTokensPerSecond);
}
