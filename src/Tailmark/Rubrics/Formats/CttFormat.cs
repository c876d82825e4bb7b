using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Rubrics.Formats;

/// <summary>
/// The Chasing-the-Tail rubric rows: <c>{prompt, rubrics: [{criterion, weight}], number_of_criteria,
/// total_weight}</c>, weights 1–3. The two counts are derived: checked on import (a mismatch is a warning)
/// and recomputed on export. A row's <c>id</c> or <c>prompt_id</c> becomes the prompt id, else the prompt's hash.
/// </summary>
public sealed class CttFormat : IRubricFormat
{
    public const string MetadataKey = "ctt";

    public string Name => "ctt";

    public string Description => "Chasing-the-Tail rubrics: prompt, rubrics [{criterion, weight 1-3}]";

    public async IAsyncEnumerable<RubricRow> ReadAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var row in JsonRowSource.ReadAsync(path, cancellationToken).ConfigureAwait(false))
        {
            yield return Import(row);
        }
    }

    private static RubricRow Import(JsonRowSource.Row row)
    {
        if (row.Json is not { ValueKind: JsonValueKind.Object } json)
        {
            if (row.Json is not null) row.Log.Error(row.Path.Length > 0 ? row.Path : null, "expected a Chasing-the-Tail rubric object");
            return new RubricRow(null, row.Log.Issues);
        }
        var f = new JsonFieldReader(json, row.Path, row.Log);
        var prompt = RubricJsonReader.ReadPrompt(f.Raw("prompt"), f.FieldPath("prompt"), row.Log);
        if (prompt is null) row.Log.Error(f.FieldPath("prompt"), "required field is missing");
        var idField = f.Has("prompt_id") ? "prompt_id" : "id";
        var promptId = f.String(idField) ?? (prompt is null ? "" : PromptKey.Hash(prompt));
        var criteria = ImmutableArray.CreateBuilder<Criterion>();
        if (f.Array("rubrics", required: true) is { } items)
        {
            var i = 0;
            foreach (var item in items.EnumerateArray())
            {
                var path = $"{f.FieldPath("rubrics")}[{i}]";
                i++;
                if (item.ValueKind != JsonValueKind.Object)
                {
                    row.Log.Error(path, "expected an object with criterion and weight");
                    continue;
                }
                var cf = new JsonFieldReader(item, path, row.Log);
                var text = cf.String("criterion", required: true) ?? "";
                var weight = cf.Number("weight", required: true) ?? 1;
                if (double.IsFinite(weight) && (weight < 1 || weight > 3 || weight != Math.Floor(weight)))
                {
                    row.Log.Warn($"{path}.weight", $"Chasing-the-Tail weights are integers 1-3, found {weight}");
                }
                criteria.Add(new Criterion { Id = $"c{i}", Text = text, Weight = weight, Extra = cf.Rest(quiet: true) });
            }
        }
        CheckCount(f, "number_of_criteria", criteria.Count);
        CheckCount(f, "total_weight", criteria.Sum(c => c.Weight));
        var rest = f.Rest(quiet: true);
        var rubric = new Rubric
        {
            Id = promptId,
            PromptId = promptId,
            Prompt = prompt,
            Criteria = criteria.ToImmutable(),
            Metadata = rest.Count == 0 ? JsonMaps.Empty : JsonMaps.Empty.Add(MetadataKey, JsonOutput.ToObject(rest)),
        };
        RubricValidator.Validate(rubric, row.Log, row.Path);
        return new RubricRow(rubric, row.Log.Issues, row.Log.Line);
    }

    private static void CheckCount(JsonFieldReader f, string name, double actual)
    {
        if (!f.Has(name)) return;
        if (f.Number(name) is { } given && !given.Equals(actual))
        {
            f.Log.Warn(f.FieldPath(name), $"says {given} but the rubric has {actual}; the computed value is used");
        }
    }

    public async Task<IReadOnlyList<string>> WriteAsync(IAsyncEnumerable<Rubric> rubrics, string path, CancellationToken cancellationToken = default)
    {
        var warnings = new List<string>();
        await JsonRowSink.WriteAsync(rubrics, path, (w, r) => Write(w, r, warnings), cancellationToken).ConfigureAwait(false);
        return warnings;
    }

    private static void Write(Utf8JsonWriter w, Rubric r, List<string> warnings)
    {
        w.WriteStartObject();
        w.WriteString("id", r.PromptId ?? r.Id);
        w.WritePropertyName("prompt");
        if (r.Prompt is { } p) RubricJsonWriter.WritePrompt(w, p);
        else w.WriteStringValue("");
        w.WriteStartArray("rubrics");
        foreach (var c in r.Criteria)
        {
            if (c.Weight < 0 || c.Scale is not null || c.Check is not null)
            {
                warnings.Add($"{r.Id}/{c.Id}: the Chasing-the-Tail format has only positive binary judged criteria");
            }
            w.WriteStartObject();
            w.WriteString("criterion", c.Text);
            JsonNumbers.Write(w, "weight", c.Weight);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteNumber("number_of_criteria", r.Criteria.Length);
        JsonNumbers.Write(w, "total_weight", r.Criteria.Sum(c => c.Weight));
        if (r.Metadata.TryGetValue(MetadataKey, out var extra) && extra.ValueKind == JsonValueKind.Object)
        {
            foreach (var prop in extra.EnumerateObject().Where(x => x.Name != "id")) prop.WriteTo(w);
        }
        w.WriteEndObject();
    }
}
