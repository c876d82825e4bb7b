using System.Text.Json;

namespace Tailmark.Io;

/// <summary>
/// Reads a JSONL file of objects into rows: a read function maps each line's fields (through a
/// <see cref="JsonFieldReader"/> bound to the file and line) to a row, or null. Every problem of every line is
/// collected; if there was any, the whole read fails with all of them, each with its file, line and field.
/// </summary>
public static class JsonlRows
{
    public static async Task<List<T>> ReadAsync<T>(string path, Func<JsonFieldReader, T?> read, CancellationToken ct = default) where T : class
    {
        var rows = new List<T>();
        var issues = new List<InputIssue>();
        await foreach (var line in JsonlReader.ReadAsync(path, ct).ConfigureAwait(false))
        {
            var log = new IssueLog(path, line.Number);
            if (line.Json is not { } json) log.Error(null, line.ParseError!);
            else if (json.ValueKind != JsonValueKind.Object) log.Error(null, "expected a JSON object");
            else if (read(new JsonFieldReader(json, "", log)) is { } row && !log.HasErrors) rows.Add(row);
            issues.AddRange(log.Issues.Where(i => i.IsError));
            foreach (var warning in log.Issues.Where(i => !i.IsError)) InputWarnings.Report(warning.File, warning.Line, warning.Field, warning.Message);
        }
        if (issues.Count > 0) throw new InputException(issues);
        return rows;
    }
}
