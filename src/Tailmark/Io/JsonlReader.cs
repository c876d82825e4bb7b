using System.Runtime.CompilerServices;
using System.Text.Json;

namespace Tailmark.Io;

/// <summary>
/// Streams a JSONL file line by line. Only one line is held in memory at a time, so files of any size can be
/// read in bounded memory. Blank lines are skipped but counted, so line numbers match an editor's. Each line is
/// parsed by <see cref="JsonInput"/> (bounded depth, repeated keys and invalid UTF-8 warned about).
/// </summary>
public static class JsonlReader
{
    public static async IAsyncEnumerable<JsonlLine> ReadAsync(
        string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reader = OpenText(path);
        var number = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } text)
        {
            number++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            reader.WarnIfReplaced(text, number);
            yield return Parse(number, text, path);
        }
    }

    /// <summary>Parses one line; a malformed line becomes a <see cref="JsonlLine"/> with the parser's message.</summary>
    public static JsonlLine Parse(int number, string text, string file)
    {
        var result = JsonInput.Parse(text, file, number);
        return new JsonlLine(number, result.Root, result.Error);
    }

    /// <summary>The parser's complaint in our words: "malformed JSON (column N): what", without its own position suffixes.</summary>
    public static string Describe(JsonException ex)
    {
        var column = ex.BytePositionInLine is { } pos ? $" (column {pos + 1})" : "";
        return $"malformed JSON{column}: {FirstSentence(ex.Message)}";
    }

    /// <summary>Opens a file for reading as UTF-8 (with or without BOM); "-" means standard input.</summary>
    public static InputReader OpenText(string path) => InputReader.Open(path);

    private static string FirstSentence(string message)
    {
        foreach (var suffix in new[] { " Path:", " LineNumber:" })
        {
            var cut = message.IndexOf(suffix, StringComparison.Ordinal);
            if (cut > 0) message = message[..cut];
        }
        return message.TrimEnd();
    }
}
