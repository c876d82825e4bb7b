using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Tailmark.Storage;

/// <summary>
/// The content address of one judge verdict: SHA-256 over everything that could change it — endpoint and model,
/// sampling parameters, prompt-template version and mode, the conversation, the response, the criterion (id,
/// text, scale) and the vote index. Field values are length-prefixed so no two different inputs collide by
/// concatenation. The framed fields are written into one pooled buffer and hashed in one call: this runs for every
/// verdict served, and a hash object per key (with a native call per field) cost more than the hashing itself.
/// </summary>
public static class VerdictCacheKey
{
    public static string Of(params string?[] parts)
    {
        var max = 0;
        foreach (var p in parts) max += 12 + Encoding.UTF8.GetMaxByteCount((p ?? Null).Length);
        var rented = ArrayPool<byte>.Shared.Rent(max);
        try
        {
            var n = 0;
            foreach (var p in parts)
            {
                var s = p ?? Null;
                // "<length>:" then the UTF-8 bytes then "|", as a stable framing of each field.
                s.Length.TryFormat(rented.AsSpan(n), out var written, provider: CultureInfo.InvariantCulture);
                n += written;
                rented[n++] = (byte)':';
                n += Encoding.UTF8.GetBytes(s, rented.AsSpan(n));
                rented[n++] = (byte)'|';
            }
            Span<byte> digest = stackalloc byte[32];
            SHA256.HashData(rented.AsSpan(0, n), digest);
            return Convert.ToHexStringLower(digest);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private const string Null = "\u0000null";
}
