namespace Tailmark.Io;

/// <summary>
/// One problem found in an input file, located by file, line (for line-oriented files) and field path
/// (for example <c>criteria[2].weight</c>).
/// </summary>
public sealed record InputIssue(IssueSeverity Severity, string File, int? Line, string? Field, string Message)
{
    public bool IsError => Severity == IssueSeverity.Error;

    /// <summary>Formats as <c>file:line: error: field: message</c>, the shape compilers use, so editors can jump to it.</summary>
    public override string ToString()
    {
        var where = Line is { } line ? $"{File}:{line}" : File;
        var kind = Severity == IssueSeverity.Error ? "error" : "warning";
        return Field is null ? $"{where}: {kind}: {Message}" : $"{where}: {kind}: {Field}: {Message}";
    }
}
