using Tailmark.Io;

namespace Tailmark.Sim;

/// <summary>
/// Deterministic randomness for the simulated world. Every random choice is a hash of the world's seed and of the
/// content it concerns (model, prompt, criterion, sample index, ...), never a shared generator, so answers do not
/// depend on the order or concurrency in which requests arrive.
/// </summary>
public static class SimHash
{
    /// <summary>A 64-bit hash of the parts (<see cref="SeededHash.Of"/>).</summary>
    public static ulong Of(params object?[] parts) => SeededHash.Of(parts);

    /// <summary>A uniform number in [0, 1) determined by the parts.</summary>
    public static double Unit(params object?[] parts) => (Of(parts) >> 11) * (1.0 / (1UL << 53));

    /// <summary>A generator seeded by the parts, for a sequence of choices about one thing.</summary>
    public static Random Random(params object?[] parts) => new((int)(Of(parts) & 0x7FFFFFFF));
}
