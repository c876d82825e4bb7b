using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Evaluation.Report;

/// <summary>Reads one JSONL input of the report, row by row, collecting every problem with its file, line and field.</summary>
internal static class ReportInput
{
    public static async Task<List<T>> ReadAsync<T>(string path, Func<JsonFieldReader, T?> read, CancellationToken ct) where T : class
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
            if (issues.Count >= 20) break; // enough to fix; a wholly wrong file should not print a million lines
        }
        if (issues.Count > 0) throw new InputException(issues);
        return rows;
    }
}
