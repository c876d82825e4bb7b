using Tailmark.Io;

namespace Tailmark.Building;

/// <summary>
/// The pool file <c>sample</c> writes: a journal while it runs (one line appended and flushed per sample, so a
/// killed run keeps what it had and a rerun asks only for the rest), put in a fixed order when the run ends, so that
/// two clean runs write the same bytes whatever order the answers came in.
/// </summary>
public static class PoolFile
{
    /// <summary>
    /// The (prompt, response) ids already in the pool. A last line cut short by a killed run (no newline after it, not
    /// a row) is dropped with a warning, and a file that does not end with a newline gets one, so that the next append
    /// starts a line. Any other line that is not a response row is an error: someone may want it, and it is not ours
    /// to delete.
    /// </summary>
    public static HashSet<(string PromptId, string ResponseId)> Resume(string path)
    {
        var ids = new HashSet<(string, string)>();
        if (!File.Exists(path)) return ids;
        var (lines, endsWithNewline) = ReadLines(path);
        var issues = new List<InputIssue>();
        var last = lines.FindLastIndex(l => !string.IsNullOrWhiteSpace(l));
        var torn = false;
        for (var i = 0; i <= last; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            var log = new IssueLog(path, i + 1);
            var row = Parse(lines[i], i + 1, path, log);
            if (row is null && i == last && !endsWithNewline)
            {
                torn = true;
                InputWarnings.Report(path, i + 1, null, "the last line was cut short (a killed run?); it is dropped and its sample asked again");
                continue;
            }
            if (row is not null && !ids.Add((row.PromptId, row.ResponseId)))
            {
                log.Error("response_id", $"duplicate response \"{row.ResponseId}\" for prompt \"{row.PromptId}\"");
            }
            issues.AddRange(log.Issues.Where(x => x.IsError));
        }
        if (issues.Count > 0) throw new InputException(issues);
        if (torn) lines.RemoveAt(last);
        if (torn || !endsWithNewline) Write(path, lines.Where(l => !string.IsNullOrWhiteSpace(l)));
        return ids;
    }

    /// <summary>
    /// Rewrites the pool (atomically, each line as it was) with the rows of <paramref name="plan"/> in the plan's order,
    /// then any other rows in their file order.
    /// </summary>
    public static void Order(string path, IReadOnlyList<(string PromptId, string ResponseId)> plan)
    {
        if (!File.Exists(path)) return;
        var rank = new Dictionary<(string, string), int>();
        for (var i = 0; i < plan.Count; i++) rank.TryAdd(plan[i], i);
        var rows = new List<(int Rank, int Line, string Text)>();
        var (lines, _) = ReadLines(path);
        for (var i = 0; i < lines.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(lines[i])) continue;
            var row = Parse(lines[i], i + 1, path, new IssueLog(path, i + 1));
            rows.Add((row is not null && rank.TryGetValue((row.PromptId, row.ResponseId), out var r) ? r : plan.Count, i, lines[i]));
        }
        Write(path, rows.OrderBy(r => r.Rank).ThenBy(r => r.Line).Select(r => r.Text));
    }

    private static ResponseRow? Parse(string text, int number, string path, IssueLog log)
    {
        var line = JsonlReader.Parse(number, text, path);
        if (line.Json is not { } json)
        {
            log.Error(null, line.ParseError!);
            return null;
        }
        return ResponseRow.Read(json, log);
    }

    private static (List<string> Lines, bool EndsWithNewline) ReadLines(string path)
    {
        string text;
        using (var reader = JsonlReader.OpenText(path)) text = reader.ReadToEnd();
        var lines = text.Split('\n').Select(l => l.TrimEnd('\r')).ToList();
        var endsWithNewline = text.Length == 0 || text.EndsWith('\n');
        if (endsWithNewline && lines.Count > 0) lines.RemoveAt(lines.Count - 1);
        return (lines, endsWithNewline);
    }

    private static void Write(string path, IEnumerable<string> lines) =>
        JsonRowSink.WriteTextAsync(path, string.Concat(lines.Select(l => l + "\n"))).GetAwaiter().GetResult();
}
