using System.Buffers;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Tailmark.Storage;

/// <summary>
/// The content address of one judge verdict: SHA-256 over everything that could change it — endpoint and model,
/// sampling parameters, prompt-template version and mode, the conversation, the response, the criterion (id,
/// text, scale) and the vote index. Field values are length-prefixed so no two different inputs collide by
/// concatenation. Hashed incrementally, without building the concatenation (this runs for every verdict served).
/// </summary>
public static class VerdictCacheKey
{
    public static string Of(params string?[] parts)
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        Span<byte> prefix = stackalloc byte[16];
        foreach (var p in parts)
        {
            var s = p ?? "\u0000null";
            // "<length>:" then the UTF-8 bytes then "|", as a stable framing of each field.
            s.Length.TryFormat(prefix, out var written, provider: CultureInfo.InvariantCulture);
            prefix[written++] = (byte)':';
            hash.AppendData(prefix[..written]);
            var max = Encoding.UTF8.GetMaxByteCount(s.Length);
            var rented = ArrayPool<byte>.Shared.Rent(max);
            try
            {
                var n = Encoding.UTF8.GetBytes(s, rented);
                hash.AppendData(rented, 0, n);
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(rented);
            }
            hash.AppendData("|"u8);
        }
        Span<byte> digest = stackalloc byte[32];
        hash.GetHashAndReset(digest);
        return Convert.ToHexStringLower(digest);
    }
}
