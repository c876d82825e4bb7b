using System.Security.Cryptography;
using System.Text;

namespace Tailmark.Io;

/// <summary>
/// A file or folder name derived from an id. Ids may hold any character, and a plain substitution maps
/// <c>q/1</c> and <c>q_1</c> to one name (and <c>Q1</c> and <c>q1</c> to one folder on case-insensitive disks), so the
/// name is a readable part (letters, digits, <c>-</c>, <c>_</c> and <c>.</c> kept, anything else <c>_</c>, at most 48
/// characters, never <c>.</c> or <c>..</c>) followed by <c>-</c> and the first 16 hex digits of the SHA-256 of the exact
/// id. Two ids share a name only on a 64-bit hash collision; readers still check the id stored in the file.
/// </summary>
public static class SafeName
{
    private const int ReadableLength = 48;

    public static string For(string id)
    {
        var readable = new StringBuilder(Math.Min(id.Length, ReadableLength));
        foreach (var c in id)
        {
            if (readable.Length == ReadableLength) break;
            readable.Append(char.IsAsciiLetterOrDigit(c) || c is '-' or '_' ? c : c == '.' && readable.Length > 0 ? c : '_');
        }
        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(id)))[..16];
        return readable.Length == 0 ? hash : $"{readable}-{hash}";
    }
}
