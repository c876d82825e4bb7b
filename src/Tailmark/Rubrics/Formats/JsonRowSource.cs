using System.Runtime.CompilerServices;
using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Rubrics.Formats;

/// <summary>
/// The rows of a JSON-shaped input file: a <c>.json</c> file is one document (an array gives one row per
/// element, an object one row); anything else is read as JSONL, one row per line, streamed.
/// </summary>
public static class JsonRowSource
{
    /// <summary>A row: its JSON (null when malformed), its log (file and line set), and the field path prefix.</summary>
    public sealed record Row(JsonElement? Json, IssueLog Log, string Path);

    public static bool IsWholeDocument(string path) => path.EndsWith(".json", StringComparison.OrdinalIgnoreCase);

    public static async IAsyncEnumerable<Row> ReadAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        if (IsWholeDocument(path))
        {
            foreach (var row in ReadDocument(path)) yield return row;
            yield break;
        }
        await foreach (var line in JsonlReader.ReadAsync(path, cancellationToken).ConfigureAwait(false))
        {
            var log = new IssueLog(path, line.Number);
            if (line.ParseError is not null) log.Error(null, line.ParseError);
            yield return new Row(line.Json, log, "");
        }
    }

    private static IEnumerable<Row> ReadDocument(string path)
    {
        string text;
        using (var reader = JsonlReader.OpenText(path)) text = reader.ReadToEnd();
        var parsed = JsonInput.Parse(text, path, null);
        if (parsed.Root is not { } root)
        {
            var log = new IssueLog(path, parsed.ErrorLine);
            log.Error(null, parsed.Error!);
            return [new Row(null, log, "")];
        }
        if (root.ValueKind != JsonValueKind.Array) return [new Row(root, new IssueLog(path), "")];
        return root.EnumerateArray().Select((e, i) => new Row(e, new IssueLog(path), $"[{i}]")).ToList();
    }
}
