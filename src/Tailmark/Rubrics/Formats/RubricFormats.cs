using System.Collections.Frozen;

namespace Tailmark.Rubrics.Formats;

/// <summary>The rubric formats by name, for <c>--from</c> / <c>--to</c>, and the default guess from a file name.</summary>
public static class RubricFormats
{
    private static readonly IRubricFormat[] All =
        [new TailmarkFormat(), new YamlFormat(), new HealthBenchFormat(), new CttFormat(), new RarFormat(), new PlainFormat()];

    private static readonly FrozenDictionary<string, IRubricFormat> ByName = All
        .Select(f => KeyValuePair.Create(f.Name, f))
        .Append(KeyValuePair.Create("native", All[0]))
        .Append(KeyValuePair.Create("json", All[0]))
        .Append(KeyValuePair.Create("jsonl", All[0]))
        .Append(KeyValuePair.Create("yml", All[1]))
        .ToFrozenDictionary(StringComparer.OrdinalIgnoreCase);

    public static IReadOnlyList<IRubricFormat> Formats => All;

    public static IEnumerable<string> Names => All.Select(f => f.Name);

    public static bool TryGet(string name, out IRubricFormat format) => ByName.TryGetValue(name, out format!);

    /// <summary>YAML by extension, plain lists for .txt, Tailmark's native rows otherwise.</summary>
    public static IRubricFormat Guess(string path)
    {
        var ext = Path.GetExtension(path).ToLowerInvariant();
        return ext switch
        {
            ".yaml" or ".yml" => All[1],
            ".txt" => All[5],
            _ => All[0],
        };
    }
}
