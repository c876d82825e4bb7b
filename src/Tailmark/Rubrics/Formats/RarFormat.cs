using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Rubrics.Formats;

/// <summary>
/// Rubrics-as-Rewards rows: <c>{question|prompt, rubric: [{title, description, weight}], ...}</c>. The
/// category is read from the description's prefix ("Essential Criteria: ...", "Important", "Optional",
/// "Pitfall") and the prefix is removed from the criterion text; the title is kept as an extra field so it
/// is written back. Pitfalls carry negative weights in RaR; that is kept as given.
/// </summary>
public sealed class RarFormat : IRubricFormat
{
    public const string MetadataKey = "rar";

    public string Name => "rar";

    public string Description => "Rubrics-as-Rewards rows: rubric [{title, description, weight}], category from the description prefix";

    public async IAsyncEnumerable<RubricRow> ReadAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        await foreach (var row in JsonRowSource.ReadAsync(path, cancellationToken).ConfigureAwait(false))
        {
            yield return Import(row);
        }
    }

    /// <summary>Splits "Essential Criteria: text" into its category and text; no known prefix gives null.</summary>
    public static (CriterionCategory? Category, string Text) SplitPrefix(string description)
    {
        foreach (var category in Enum.GetValues<CriterionCategory>())
        {
            var prefix = $"{category} Criteria:";
            if (description.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return (category, description[prefix.Length..].TrimStart());
            }
        }
        return (null, description);
    }

    private static RubricRow Import(JsonRowSource.Row row)
    {
        if (row.Json is not { ValueKind: JsonValueKind.Object } json)
        {
            if (row.Json is not null) row.Log.Error(row.Path.Length > 0 ? row.Path : null, "expected a RaR row object");
            return new RubricRow(null, row.Log.Issues);
        }
        var f = new JsonFieldReader(json, row.Path, row.Log);
        var promptField = f.Has("question") ? "question" : "prompt";
        var prompt = RubricJsonReader.ReadPrompt(f.Raw(promptField), f.FieldPath(promptField), row.Log);
        if (prompt is null) row.Log.Error(f.FieldPath("question"), "required field is missing (question or prompt)");
        var idField = f.Has("prompt_id") ? "prompt_id" : "id";
        var promptId = f.String(idField) ?? (prompt is null ? "" : PromptKey.Hash(prompt));
        var criteria = ImmutableArray.CreateBuilder<Criterion>();
        if (f.Array("rubric", required: true) is { } items)
        {
            var i = 0;
            foreach (var item in items.EnumerateArray())
            {
                var path = $"{f.FieldPath("rubric")}[{i}]";
                i++;
                if (item.ValueKind != JsonValueKind.Object)
                {
                    row.Log.Error(path, "expected an object with title, description and weight");
                    continue;
                }
                var cf = new JsonFieldReader(item, path, row.Log);
                var title = cf.Raw("title");
                var (category, text) = SplitPrefix(cf.String("description", required: true) ?? "");
                var weight = cf.Number("weight", required: true) ?? 1;
                var extra = cf.Rest(quiet: true);
                if (title is { } t) extra = extra.Add("title", t.Clone());
                criteria.Add(new Criterion { Id = $"c{i}", Text = text, Weight = weight, Category = category, Extra = extra });
            }
        }
        var rest = f.Rest(quiet: true);
        var meta = rest.Add("_prompt_field", JsonSerializer.SerializeToElement(promptField, TailmarkJsonContext.Default.String));
        var rubric = new Rubric
        {
            Id = promptId,
            PromptId = promptId,
            Prompt = prompt,
            Criteria = criteria.ToImmutable(),
            Metadata = JsonMaps.Empty.Add(MetadataKey, JsonOutput.ToObject(meta)),
        };
        RubricValidator.Validate(rubric, row.Log, row.Path);
        return new RubricRow(rubric, row.Log.Issues, row.Log.Line);
    }

    public async Task<IReadOnlyList<string>> WriteAsync(IAsyncEnumerable<Rubric> rubrics, string path, CancellationToken cancellationToken = default)
    {
        var warnings = new List<string>();
        await JsonRowSink.WriteAsync(rubrics, path, (w, r) => Write(w, r, warnings), cancellationToken).ConfigureAwait(false);
        return warnings;
    }

    private static void Write(Utf8JsonWriter w, Rubric r, List<string> warnings)
    {
        var meta = r.Metadata.TryGetValue(MetadataKey, out var m) && m.ValueKind == JsonValueKind.Object ? m : (JsonElement?)null;
        var promptField = meta is { } mm && mm.TryGetProperty("_prompt_field", out var pf) ? pf.GetString() ?? "question" : "question";
        w.WriteStartObject();
        w.WriteString("id", r.PromptId ?? r.Id);
        w.WritePropertyName(promptField);
        if (r.Prompt is { IsText: true } p) w.WriteStringValue(p.Text);
        else if (r.Prompt is { } conversation) RubricJsonWriter.WritePrompt(w, conversation);
        else w.WriteStringValue("");
        w.WriteStartArray("rubric");
        foreach (var c in r.Criteria)
        {
            if (c.Scale is not null || c.Check is not null) warnings.Add($"{r.Id}/{c.Id}: RaR has no ordinal scales or checks");
            w.WriteStartObject();
            if (c.Extra.TryGetValue("title", out var title))
            {
                w.WritePropertyName("title");
                title.WriteTo(w);
            }
            else
            {
                w.WriteString("title", c.Id);
            }
            w.WriteString("description", c.Category is { } cat ? $"{cat} Criteria: {c.Text}" : c.Text);
            JsonNumbers.Write(w, "weight", c.Weight);
            JsonOutput.WriteMap(w, c.Extra.Where(e => e.Key != "title"));
            w.WriteEndObject();
        }
        w.WriteEndArray();
        if (meta is { } extra)
        {
            foreach (var prop in extra.EnumerateObject().Where(x => x.Name is not ("_prompt_field" or "id"))) prop.WriteTo(w);
        }
        w.WriteEndObject();
    }
}
