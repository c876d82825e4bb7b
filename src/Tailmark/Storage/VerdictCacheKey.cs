using System.Security.Cryptography;
using System.Text;

namespace Tailmark.Storage;

/// <summary>
/// The content address of one judge verdict: SHA-256 over everything that could change it — endpoint and model,
/// sampling parameters, prompt-template version and mode, the conversation, the response, the criterion (id,
/// text, scale) and the vote index. Field values are length-prefixed so no two different inputs collide by
/// concatenation.
/// </summary>
public static class VerdictCacheKey
{
    public static string Of(params string?[] parts)
    {
        var sb = new StringBuilder();
        foreach (var p in parts)
        {
            var s = p ?? "\u0000null";
            sb.Append(s.Length).Append(':').Append(s).Append('|');
        }
        return Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sb.ToString())));
    }
}
