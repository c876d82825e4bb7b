namespace Tailmark.Io;

/// <summary>
/// An output file could not be written (a full disk, a read-only folder): named by the file the user asked for,
/// not by its temporary stage, with the previous content untouched. Printed as <c>FILE: error: cannot write: …</c>.
/// </summary>
public sealed class OutputException : IOException
{
    public OutputException(string path, Exception inner)
        : base($"{StagedFile.TargetOf(path)}: error: cannot write: {Reason(inner)}; the file was left as it was", inner)
    {
    }

    // .NET appends " : 'PATH'" (the temporary file's); the path is already at the front.
    private static string Reason(Exception ex)
    {
        var cut = ex.Message.IndexOf(" : '", StringComparison.Ordinal);
        return (cut > 0 ? ex.Message[..cut] : ex.Message).TrimEnd('.', ' ');
    }
}
