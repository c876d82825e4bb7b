using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Tailmark.Io;

/// <summary>
/// A deterministic 64-bit hash of a seed and the things a choice concerns, for choices that must not depend on file
/// order, concurrency or the process (tie-breaking; the simulated world's randomness builds on it too).
/// </summary>
public static class SeededHash
{
    /// <summary>SHA-256 over the parts' invariant text, joined by a unit separator; its first eight bytes, little-endian.</summary>
    public static ulong Of(params object?[] parts)
    {
        var text = string.Join("\u001f", parts.Select(p => Convert.ToString(p, System.Globalization.CultureInfo.InvariantCulture)));
        Span<byte> digest = stackalloc byte[32];
        SHA256.HashData(Encoding.UTF8.GetBytes(text), digest);
        return BinaryPrimitives.ReadUInt64LittleEndian(digest);
    }
}
