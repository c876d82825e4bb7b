using System.Runtime.CompilerServices;
using Tailmark.Io;

namespace Tailmark.Rubrics.Formats;

/// <summary>Tailmark's native rubric rows: a JSON array (<c>.json</c>) or JSONL, one rubric per line.</summary>
public sealed class TailmarkFormat : IRubricFormat
{
    public string Name => "tailmark";

    public string Description => "Tailmark's native rubrics: JSONL (one per line) or a .json array";

    public async IAsyncEnumerable<RubricRow> ReadAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var row in JsonRowSource.ReadAsync(path, cancellationToken).ConfigureAwait(false))
        {
            yield return FromJson(row);
        }
    }

    public static RubricRow FromJson(JsonRowSource.Row row)
    {
        if (row.Json is not { } json) return new RubricRow(null, row.Log.Issues);
        var rubric = RubricJsonReader.Read(json, row.Log, row.Path);
        if (rubric is not null) RubricValidator.Validate(rubric, row.Log, row.Path);
        return new RubricRow(rubric, row.Log.Issues, row.Log.Line);
    }

    public async Task<IReadOnlyList<string>> WriteAsync(IAsyncEnumerable<Rubric> rubrics, string path, CancellationToken cancellationToken = default)
    {
        await JsonRowSink.WriteAsync(rubrics, path, RubricJsonWriter.Write, cancellationToken).ConfigureAwait(false);
        return [];
    }
}
