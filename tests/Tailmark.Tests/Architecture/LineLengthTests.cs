using Tailmark.Tests.Support;

namespace Tailmark.Tests.Architecture;

/// <summary>
/// Lines end by 160 columns (.editorconfig's <c>max_line_length</c>) in every C# file of src, tests and bench. The one
/// exception is the inside of a raw string literal (<c>"""</c>): test data such as a JSONL row cannot be wrapped without
/// changing it.
/// </summary>
[Trait("Tier", "Fast")]
public sealed class LineLengthTests
{
    private const int Limit = 160;

    [Fact]
    public void EveryLine_EndsBy160Columns_OutsideRawStringData()
    {
        var over = new List<string>();
        foreach (var folder in new[] { "src", "tests", "bench" })
        {
            foreach (var file in Directory.EnumerateFiles(Path.Combine(TestPaths.RepoRoot, folder), "*.cs", SearchOption.AllDirectories))
            {
                var relative = Path.GetRelativePath(TestPaths.RepoRoot, file);
                if (relative.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj")) continue;
                var inRaw = false;
                var number = 0;
                foreach (var line in File.ReadLines(file))
                {
                    number++;
                    var delimiters = CountRawDelimiters(line);
                    var touchesRaw = inRaw || delimiters > 0;
                    if (delimiters % 2 == 1) inRaw = !inRaw;
                    if (line.Length > Limit && !touchesRaw) over.Add($"{relative}:{number}: {line.Length} columns");
                }
            }
        }
        Assert.True(over.Count == 0, $"{over.Count} lines longer than {Limit} columns:\n" + string.Join("\n", over.Take(40)));
    }

    [Theory]
    [InlineData("var x = 1;", 0)]
    [InlineData("var s = \"\"\"{\"a\": 1}\"\"\";", 2)]
    [InlineData("        \"\"\"", 1)]
    [InlineData("var s = $$\"\"\"", 1)]
    [InlineData("/// (<c>\"\"\"</c>): a comment", 0)]
    public void RawDelimiters_AreCounted(string line, int expected) => Assert.Equal(expected, CountRawDelimiters(line));

    // Runs of three or more quotes: each opens or closes a raw string literal (a comment line names them without either).
    private static int CountRawDelimiters(string line)
    {
        if (line.TrimStart().StartsWith("//", StringComparison.Ordinal)) return 0;
        var count = 0;
        for (var i = 0; i < line.Length;)
        {
            if (line[i] != '"')
            {
                i++;
                continue;
            }
            var run = 0;
            while (i < line.Length && line[i] == '"')
            {
                run++;
                i++;
            }
            if (run >= 3) count++;
        }
        return count;
    }
}
