using Tailmark.Io;

namespace Tailmark.Cli;

/// <summary>
/// How a command that writes rows ends its output: replaced only when the run had no error, so a failed command
/// leaves yesterday's file as it was. Rows worth keeping from a failed run (graded rows cost judge calls) go to a
/// side file named <c>NAME.partial.EXT</c>, which a later successful run removes.
/// </summary>
internal static class StagedOutput
{
    /// <summary>Commits <paramref name="staged"/> when <paramref name="errors"/> is 0; otherwise says the output was left as it was.</summary>
    /// <returns>Where the rows are: the output, the partial file, or null when they were discarded.</returns>
    public static string? Finish(StagedFile staged, string output, int errors, bool keepPartial = false)
    {
        var partial = PartialPath(output);
        if (errors == 0)
        {
            staged.Commit();
            if (File.Exists(partial)) File.Delete(partial);
            return output;
        }
        var note = $"not written: {errors} input error(s), so {output} was left as it was";
        string? kept = null;
        if (keepPartial && File.Exists(staged.Path))
        {
            staged.KeepAs(partial);
            kept = partial;
            note += $"; the rows that could be read are in {partial}";
        }
        Console.Error.WriteLine(note);
        return kept;
    }

    /// <summary><c>graded.jsonl</c> → <c>graded.partial.jsonl</c>, beside it.</summary>
    public static string PartialPath(string output) =>
        Path.Combine(Path.GetDirectoryName(output) ?? "", Path.GetFileNameWithoutExtension(output) + ".partial" + Path.GetExtension(output));
}
