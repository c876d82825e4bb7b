namespace Tailmark.Checks.Language;

/// <summary>
/// A small seedable random generator (SplitMix64) for the detector's draws. langdetect's own draws come from
/// Python's unseeded Mersenne Twister, so no generator reproduces them; what matters is uniform draws and a fixed
/// seed. Ours is a value type the JIT inlines, and its sequence is defined here rather than by .NET's legacy
/// seeded algorithm (switching from System.Random made no measurable difference to speed).
/// </summary>
internal struct SplitMix64(ulong seed)
{
    private ulong _state = seed;

    /// <summary>A uniform integer in [0, <paramref name="count"/>) (multiply-shift; bias below 2^-32 · count).</summary>
    public int Next(int count) => (int)(((Next64() >> 32) * (ulong)count) >> 32);

    /// <summary>A uniform double in [0, 1).</summary>
    public double NextDouble() => (Next64() >> 11) * (1.0 / (1UL << 53));

    private ulong Next64()
    {
        var z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
