namespace Tailmark.Io;

public enum IssueSeverity
{
    Warning,
    Error,
}
