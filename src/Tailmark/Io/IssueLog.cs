namespace Tailmark.Io;

/// <summary>
/// Collects the issues of one row (file and line fixed) while a reader walks it, so that a reader reports every
/// problem instead of stopping at the first.
/// </summary>
public sealed class IssueLog
{
    private readonly List<InputIssue> _issues = [];

    public IssueLog(string file, int? line = null)
    {
        File = file;
        Line = line;
    }

    public string File { get; }
    public int? Line { get; }
    public IReadOnlyList<InputIssue> Issues => _issues;
    public bool HasErrors => _issues.Any(i => i.IsError);

    public void Error(string? field, string message) =>
        _issues.Add(new InputIssue(IssueSeverity.Error, File, Line, field, message));

    public void Warn(string? field, string message) =>
        _issues.Add(new InputIssue(IssueSeverity.Warning, File, Line, field, message));

    public void Add(InputIssue issue) => _issues.Add(issue);
}
