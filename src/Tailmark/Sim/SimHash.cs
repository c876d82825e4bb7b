using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Tailmark.Sim;

/// <summary>
/// Deterministic randomness for the simulated world. Every random choice is a hash of the world's seed and of the
/// content it concerns (model, prompt, criterion, sample index, ...), never a shared generator, so answers do not
/// depend on the order or concurrency in which requests arrive.
/// </summary>
public static class SimHash
{
    /// <summary>A 64-bit hash of the parts (SHA-256 over their UTF-8 bytes with separators).</summary>
    public static ulong Of(params object?[] parts)
    {
        var text = string.Join("\u001f", parts.Select(p => Convert.ToString(p, System.Globalization.CultureInfo.InvariantCulture)));
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), digest);
        return BinaryPrimitives.ReadUInt64LittleEndian(digest);
    }

    /// <summary>A uniform number in [0, 1) determined by the parts.</summary>
    public static double Unit(params object?[] parts) => (Of(parts) >> 11) * (1.0 / (1UL << 53));

    /// <summary>A generator seeded by the parts, for a sequence of choices about one thing.</summary>
    public static Random Random(params object?[] parts) => new((int)(Of(parts) & 0x7FFFFFFF));
}
