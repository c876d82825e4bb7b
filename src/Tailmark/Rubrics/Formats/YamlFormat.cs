using System.Runtime.CompilerServices;
using System.Text.Json;
using Tailmark.Io;
using YamlDotNet.Serialization;

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
        // Serialize through JSON so the YAML holds exactly the native fields, in the native order.
        var list = new List<object?>();
        await foreach (var r in rubrics.WithCancellation(cancellationToken).ConfigureAwait(false))
        {
            using var doc = JsonDocument.Parse(RubricJsonWriter.ToJson(r), InputLimits.Written);
            list.Add(ToPlain(doc.RootElement));
        }
        // Input may nest InputLimits.MaxDepth levels (in metadata), each a dictionary and its entry to the serializer.
        var yaml = new SerializerBuilder().DisableAliases().WithQuotingNecessaryStrings().WithMaximumRecursion(4 * InputLimits.MaxDepth + 16).Build()
            .Serialize(list.Count == 1 ? list[0] : list);
        await JsonRowSink.WriteTextAsync(path, yaml, cancellationToken).ConfigureAwait(false);
        return [];
    }

    private static object? ToPlain(JsonElement e) => e.ValueKind switch
    {
        JsonValueKind.Object => Plain(e),
        JsonValueKind.Array => e.EnumerateArray().Select(ToPlain).ToList(),
        JsonValueKind.String => e.GetString(),
        JsonValueKind.Number => e.TryGetInt64(out var l) ? l : e.GetDouble(),
        JsonValueKind.True => true,
        JsonValueKind.False => false,
        _ => null,
    };

    // A key given twice (kept in pass-through JSON) keeps its last value, as every reader reads it.
    private static Dictionary<string, object?> Plain(JsonElement obj)
    {
        var map = new Dictionary<string, object?>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject()) map[p.Name] = ToPlain(p.Value);
        return map;
    }
}
