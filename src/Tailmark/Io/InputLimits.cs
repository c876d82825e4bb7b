using System.Text.Json;

namespace Tailmark.Io;

/// <summary>
/// The bounds every input file is read within, so that no file can exhaust the stack or the memory: nesting depth
/// (JSON and YAML alike) and how far YAML aliases may expand a file. A file past a bound is an error naming it.
/// </summary>
public static class InputLimits
{
    /// <summary>Levels of nested objects and lists a row may have; real rubrics use fewer than ten.</summary>
    public const int MaxDepth = 256;

    /// <summary>
    /// How much text a YAML file's aliases may produce: a hundred times the file's length plus 100,000 characters. A
    /// file that shares pieces (one criteria block under many rubrics) stays below; an alias bomb (a few hundred bytes
    /// that expand to gigabytes) stops at the bound, in milliseconds.
    /// </summary>
    public static long MaxYamlExpansion(int textLength) => 100L * textLength + 100_000;

    /// <summary>Options for parsing input files (a repeated key fails here; <see cref="JsonInput"/> turns that into a warning).</summary>
    public static readonly JsonDocumentOptions Input = new() { MaxDepth = MaxDepth, AllowDuplicateProperties = false };

    /// <summary>Options for parsing JSON written from input (fields moved under <c>metadata</c> add a few levels).</summary>
    public static readonly JsonDocumentOptions Written = new() { MaxDepth = 2 * MaxDepth };
}
