using System.Runtime.CompilerServices;
using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Rubrics.Formats;

/// <summary>
/// The shared walk of the row-per-rubric JSON formats: stream the rows, hand each object to the format's
/// importer, validate what it built, and write rubrics back one row each while collecting what the target
/// format cannot hold.
/// </summary>
public abstract class JsonRowFormat : IRubricFormat
{
    public abstract string Name { get; }

    public abstract string Description { get; }

    /// <summary>What a row of this format is called in messages ("a HealthBench example").</summary>
    protected abstract string RowNoun { get; }

    public async IAsyncEnumerable<RubricRow> ReadAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var row in JsonRowSource.ReadAsync(path, cancellationToken).ConfigureAwait(false))
        {
            if (row.Json is not { ValueKind: JsonValueKind.Object } json)
            {
                if (row.Json is { } other) row.Log.Error(row.Path.Length > 0 ? row.Path : null, $"expected {RowNoun}, found {JsonFieldReader.Describe(other)}");
                yield return new RubricRow(null, row.Log.Issues, row.Log.Line);
                continue;
            }
            var rubric = Import(new JsonFieldReader(json, row.Path, row.Log));
            RubricValidator.Validate(rubric, row.Log, row.Path);
            yield return new RubricRow(rubric, row.Log.Issues, row.Log.Line);
        }
    }

    public async Task<IReadOnlyList<string>> WriteAsync(IAsyncEnumerable<Rubric> rubrics, string path, CancellationToken cancellationToken = default)
    {
        var warnings = new List<string>();
        await JsonRowSink.WriteAsync(rubrics, path, (w, r) => Write(w, r, warnings), cancellationToken).ConfigureAwait(false);
        return warnings;
    }

    /// <summary>Builds a rubric from one row object; problems go to the reader's log with their field paths.</summary>
    protected abstract Rubric Import(JsonFieldReader row);

    /// <summary>Writes one rubric as a row; information the format cannot hold is added to <paramref name="warnings"/>.</summary>
    protected abstract void Write(Utf8JsonWriter writer, Rubric rubric, List<string> warnings);

    /// <summary>Reads a list of criterion objects, giving each importer the item's field reader and 1-based index.</summary>
    protected static List<Criterion> ReadItems(JsonFieldReader row, string field, string itemNoun, Func<JsonFieldReader, int, Criterion> read)
    {
        var criteria = new List<Criterion>();
        if (row.Array(field, required: true) is not { } items) return criteria;
        var i = 0;
        foreach (var item in items.EnumerateArray())
        {
            var path = $"{row.FieldPath(field)}[{i}]";
            i++;
            if (item.ValueKind != JsonValueKind.Object)
            {
                row.Log.Error(path, $"expected {itemNoun}, found {JsonFieldReader.Describe(item)}");
                continue;
            }
            criteria.Add(read(new JsonFieldReader(item, path, row.Log), i));
        }
        return criteria;
    }

    /// <summary>Reads the prompt field, reporting it when missing.</summary>
    protected static PromptContent? ReadRequiredPrompt(JsonFieldReader row, string field)
    {
        var prompt = RubricJsonReader.ReadPrompt(row.Raw(field), row.FieldPath(field), row.Log);
        if (prompt is null) row.Log.Error(row.FieldPath(field), "required field is missing");
        return prompt;
    }

    /// <summary>The prompt id from <c>prompt_id</c> or <c>id</c>, else the prompt's hash.</summary>
    protected static string ReadPromptId(JsonFieldReader row, PromptContent? prompt) =>
        row.String(row.Has("prompt_id") ? "prompt_id" : "id") ?? (prompt is null ? "" : PromptKey.Hash(prompt));

    /// <summary>Keeps a foreign format's remaining fields under <c>metadata.{key}</c>.</summary>
    protected static System.Collections.Immutable.ImmutableSortedDictionary<string, JsonElement> KeepRest(
        string key, IEnumerable<KeyValuePair<string, JsonElement>> rest) =>
        rest.Any() ? JsonMaps.Empty.Add(key, JsonOutput.ToObject(rest)) : JsonMaps.Empty;

    /// <summary>Writes back the fields kept by <see cref="KeepRest"/>, except the ones named.</summary>
    protected static void WriteKept(Utf8JsonWriter w, Rubric r, string key, params string[] except)
    {
        if (!r.Metadata.TryGetValue(key, out var kept) || kept.ValueKind != JsonValueKind.Object) return;
        foreach (var p in kept.EnumerateObject().Where(p => !except.Contains(p.Name))) p.WriteTo(w);
    }
}
