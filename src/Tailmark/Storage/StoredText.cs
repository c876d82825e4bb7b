namespace Tailmark.Storage;

/// <summary>
/// Text as every store can keep it: PostgreSQL's text cannot hold NUL, and its driver refuses a lone UTF-16
/// surrogate, either of which a judge's reason can carry (JSON escapes them). Such characters are dropped or replaced
/// (U+FFFD) before a verdict is remembered or stored, so memory, SQLite and PostgreSQL all answer the same text.
/// </summary>
internal static class StoredText
{
    /// <summary>TEXT itself when it is clean (the usual case, no copy), else a cleaned copy.</summary>
    public static string Clean(string text)
    {
        if (!text.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF') && !text.Contains('\0', StringComparison.Ordinal)) return text;
        var noNul = text.Replace("\0", "", StringComparison.Ordinal);
        // Encoding.UTF8 replaces a lone surrogate with U+FFFD on the way out; a well-formed pair survives the round trip.
        return System.Text.Encoding.UTF8.GetString(System.Text.Encoding.UTF8.GetBytes(noNul));
    }
}
