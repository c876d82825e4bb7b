using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Rubrics.Formats;

/// <summary>
/// HealthBench examples: <c>{prompt: [messages], rubrics: [{criterion, points, tags}], prompt_id, ...}</c>.
/// Points become signed weights (negative points are pitfalls: "met" means the bad thing happened). Every
/// other top-level field (example_tags, ideal_completions_data, canary, ...) is kept under
/// <c>metadata.healthbench</c> and written back unchanged, so the round trip is lossless.
/// </summary>
public sealed class HealthBenchFormat : IRubricFormat
{
    public const string MetadataKey = "healthbench";

    public string Name => "healthbench";

    public string Description => "HealthBench examples (JSONL): prompt messages, rubrics with points and tags";

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
            if (row.Json is not null) row.Log.Error(row.Path.Length > 0 ? row.Path : null, "expected a HealthBench example object");
            return new RubricRow(null, row.Log.Issues);
        }
        var f = new JsonFieldReader(json, row.Path, row.Log);
        var promptId = f.String("prompt_id", required: true);
        var prompt = RubricJsonReader.ReadPrompt(f.Raw("prompt"), f.FieldPath("prompt"), row.Log);
        if (prompt is null) row.Log.Error(f.FieldPath("prompt"), "required field is missing");
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
                    row.Log.Error(path, "expected a rubric item object");
                    continue;
                }
                var cf = new JsonFieldReader(item, path, row.Log);
                var text = cf.String("criterion", required: true) ?? "";
                var points = cf.Number("points", required: true) ?? 0;
                criteria.Add(new Criterion
                {
                    Id = $"c{i}",
                    Text = text,
                    Weight = points,
                    Category = points < 0 ? CriterionCategory.Pitfall : null,
                    Tags = cf.Strings("tags"),
                    Extra = cf.Rest(quiet: true),
                });
            }
        }
        var rest = f.Rest(quiet: true);
        var rubric = new Rubric
        {
            Id = promptId ?? "",
            PromptId = promptId,
            Prompt = prompt,
            Criteria = criteria.ToImmutable(),
            Metadata = rest.Count == 0 ? JsonMaps.Empty : JsonMaps.Empty.Add(MetadataKey, JsonOutput.ToObject(rest)),
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
        w.WriteStartObject();
        w.WritePropertyName("prompt");
        RubricJsonWriter.WritePrompt(w, PromptContent.FromMessages((r.Prompt ?? PromptContent.FromText("")).AsMessages()));
        w.WriteStartArray("rubrics");
        foreach (var c in r.Criteria)
        {
            if (c.Scale is not null || c.Check is not null || c.Veto)
            {
                warnings.Add($"{r.Id}/{c.Id}: HealthBench has no ordinal scales, checks or vetoes; written as a judged binary criterion");
            }
            w.WriteStartObject();
            w.WriteString("criterion", c.Text);
            JsonNumbers.Write(w, "points", c.Weight);
            w.WriteStartArray("tags");
            foreach (var t in c.Tags) w.WriteStringValue(t);
            w.WriteEndArray();
            JsonOutput.WriteMap(w, c.Extra);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteString("prompt_id", r.PromptId ?? r.Id);
        if (r.Metadata.TryGetValue(MetadataKey, out var extra) && extra.ValueKind == JsonValueKind.Object)
        {
            foreach (var p in extra.EnumerateObject()) p.WriteTo(w);
        }
        w.WriteEndObject();
    }
}
