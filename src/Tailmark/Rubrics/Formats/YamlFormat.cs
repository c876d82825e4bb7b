using System.Runtime.CompilerServices;
using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Rubrics.Formats;

/// <summary>
/// Native rubrics written by hand in YAML: a document holds one rubric or a list of rubrics; several documents
/// may be separated by <c>---</c>. Issues carry the YAML line of the field they concern.
/// </summary>
public sealed class YamlFormat : IRubricFormat
{
    public string Name => "yaml";

    public string Description => "native rubrics in YAML (one rubric or a list per document)";

    public async IAsyncEnumerable<RubricRow> ReadAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        string text;
        using (var reader = JsonlReader.OpenText(path))
        {
            text = await reader.ReadToEndAsync(cancellationToken).ConfigureAwait(false);
        }
        IReadOnlyList<YamlJson.Document> docs;
        RubricRow? failure = null;
        try
        {
            docs = YamlJson.Parse(text, path);
        }
        catch (InputException ex)
        {
            docs = [];
            failure = new RubricRow(null, ex.Issues);
        }
        if (failure is not null) yield return failure;
        foreach (var doc in docs)
        {
            var items = doc.Json.ValueKind == JsonValueKind.Array
                ? doc.Json.EnumerateArray().Select((e, i) => (Json: e, Path: $"[{i}]")).ToList()
                : [(doc.Json, "")];
            foreach (var (json, prefix) in items)
            {
                var log = new IssueLog(path);
                var row = TailmarkFormat.FromJson(new JsonRowSource.Row(json, log, prefix));
                yield return row with { Issues = [.. row.Issues.Select(i => YamlJson.Locate(i, doc.Lines))] };
            }
        }
    }

    public async Task<IReadOnlyList<string>> WriteAsync(IAsyncEnumerable<Rubric> rubrics, string path, CancellationToken cancellationToken = default)
    {
        // Written through JSON so the YAML holds exactly the native fields, in the native order.
        var docs = new List<JsonDocument>();
        try
        {
            await foreach (var r in rubrics.WithCancellation(cancellationToken).ConfigureAwait(false))
                docs.Add(JsonDocument.Parse(RubricJsonWriter.ToJson(r), InputLimits.Written));
            var yaml = docs.Count == 1 ? JsonYaml.ToYaml(docs[0].RootElement) : JsonYaml.ToYamlList(docs.Select(d => d.RootElement));
            await JsonRowSink.WriteTextAsync(path, yaml, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            foreach (var d in docs) d.Dispose();
        }
        return [];
    }
}
