namespace Tailmark.Io;

/// <summary>
/// Bad input that stops a command: carries the located issues so the CLI can print them without a stack trace.
/// </summary>
public sealed class InputException : Exception
{
    public InputException(IReadOnlyList<InputIssue> issues)
        : base(string.Join(Environment.NewLine, issues))
    {
        Issues = issues;
    }

    public InputException(string file, int? line, string? field, string message)
        : this([new InputIssue(IssueSeverity.Error, file, line, field, message)])
    {
    }

    public IReadOnlyList<InputIssue> Issues { get; }
}
