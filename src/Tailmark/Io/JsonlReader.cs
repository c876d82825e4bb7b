using System.Runtime.CompilerServices;
using System.Text;
using System.Text.Json;

namespace Tailmark.Io;

/// <summary>
/// Streams a JSONL file line by line. Only one line is held in memory at a time, so files of any size can be
/// read in bounded memory. Blank lines are skipped but counted, so line numbers match an editor's.
/// </summary>
public static class JsonlReader
{
    private static readonly JsonDocumentOptions Options = new() { MaxDepth = 256 };

    public static async IAsyncEnumerable<JsonlLine> ReadAsync(
        string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var reader = OpenText(path);
        var number = 0;
        while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } text)
        {
            number++;
            if (string.IsNullOrWhiteSpace(text)) continue;
            yield return Parse(number, text);
        }
    }

    /// <summary>Parses one line; a malformed line becomes a <see cref="JsonlLine"/> with the parser's message.</summary>
    public static JsonlLine Parse(int number, string text)
    {
        try
        {
            using var doc = JsonDocument.Parse(text, Options);
            return new JsonlLine(number, doc.RootElement.Clone(), null);
        }
        catch (JsonException ex)
        {
            var column = ex.BytePositionInLine is { } pos ? $" (column {pos + 1})" : "";
            return new JsonlLine(number, null, $"malformed JSON{column}: {FirstSentence(ex.Message)}");
        }
    }

    /// <summary>Opens a file for reading as UTF-8 (with or without BOM); "-" means standard input.</summary>
    public static StreamReader OpenText(string path)
    {
        if (path == "-") return new StreamReader(Console.OpenStandardInput(), Encoding.UTF8);
        if (!File.Exists(path)) throw new InputException(path, null, null, "file not found");
        return new StreamReader(path, Encoding.UTF8, detectEncodingFromByteOrderMarks: true,
            new FileStreamOptions { BufferSize = 1 << 16, Options = FileOptions.SequentialScan });
    }

    private static string FirstSentence(string message)
    {
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        return cut > 0 ? message[..cut] : message;
    }
}
