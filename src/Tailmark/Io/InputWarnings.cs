namespace Tailmark.Io;

/// <summary>
/// Oddities an input reader accepts but a user should hear about — invalid UTF-8 replaced by U+FFFD, a JSON key given
/// twice, a non-finite number where one is optional — reported where they are found, deep in a reader, and printed
/// by the front that listens (the CLI prints them to standard error). Nothing is reported when nobody listens.
/// </summary>
public static class InputWarnings
{
    public static event Action<InputIssue>? Reported;

    public static void Report(string file, int? line, string? field, string message) =>
        Reported?.Invoke(new InputIssue(IssueSeverity.Warning, file, line, field, message));
}
