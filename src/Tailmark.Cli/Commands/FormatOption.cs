using System.CommandLine;
using Tailmark.Rubrics.Formats;

namespace Tailmark.Cli.Commands;

/// <summary>Builds and resolves the <c>--from</c>/<c>--to</c>/<c>--format</c> options of rubric formats.</summary>
internal static class FormatOption
{
    public static Option<string?> Create(string name, string description) => new(name)
    {
        Description = $"{description} One of: {string.Join(", ", RubricFormats.Names)}. Default: guessed from the file name (.yaml → yaml, .txt → plain, " +
            $"else tailmark).",
    };

    public static IRubricFormat Resolve(string? name, string path)
    {
        if (name is null) return RubricFormats.Guess(path);
        if (RubricFormats.TryGet(name, out var format)) return format;
        throw new UsageException($"unknown format '{name}' (expected one of {string.Join(", ", RubricFormats.Names)})");
    }
}
