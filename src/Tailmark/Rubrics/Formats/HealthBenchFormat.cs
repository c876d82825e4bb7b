using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Rubrics.Formats;

/// <summary>
/// HealthBench examples: <c>{prompt: [messages], rubrics: [{criterion, points, tags}], prompt_id, ...}</c>.
/// Points become signed weights (negative points are pitfalls: "met" means the bad thing happened). Every
/// other top-level field (example_tags, ideal_completions_data, canary, ...) is kept under
/// <c>metadata.healthbench</c> and written back unchanged, so the round trip is lossless.
/// </summary>
public sealed class HealthBenchFormat : JsonRowFormat
{
    public const string MetadataKey = "healthbench";

    public override string Name => "healthbench";

    public override string Description => "HealthBench examples (JSONL): prompt messages, rubrics with points and tags";

    protected override string RowNoun => "a HealthBench example object";

    protected override Rubric Import(JsonFieldReader row)
    {
        var promptId = row.String("prompt_id", required: true);
        var prompt = ReadRequiredPrompt(row, "prompt");
        var criteria = ReadItems(row, "rubrics", "a rubric item object", (cf, i) =>
        {
            var points = cf.Number("points", required: true, allowNonFinite: true) ?? 0;
            return new Criterion
            {
                Id = $"c{i}",
                Text = cf.String("criterion", required: true) ?? "",
                Weight = points,
                Category = points < 0 ? CriterionCategory.Pitfall : null,
                Tags = cf.Strings("tags"),
                Extra = cf.Rest(quiet: true),
            };
        });
        return new Rubric
        {
            Id = promptId ?? "",
            PromptId = promptId,
            Prompt = prompt,
            Criteria = [.. criteria],
            Metadata = KeepRest(MetadataKey, row.Rest(quiet: true)),
        };
    }

    protected override void Write(Utf8JsonWriter writer, Rubric rubric, List<string> warnings)
    {
        writer.WriteStartObject();
        writer.WritePropertyName("prompt");
        RubricJsonWriter.WritePrompt(writer, PromptContent.FromMessages((rubric.Prompt ?? PromptContent.FromText("")).AsMessages()));
        writer.WriteStartArray("rubrics");
        foreach (var c in rubric.Criteria)
        {
            if (c.Scale is not null || c.Check is not null || c.Veto)
            {
                warnings.Add($"{rubric.Id}/{c.Id}: HealthBench has no ordinal scales, checks or vetoes; written as a judged binary criterion");
            }
            writer.WriteStartObject();
            writer.WriteString("criterion", c.Text);
            JsonNumbers.Write(writer, "points", c.Weight);
            writer.WriteStartArray("tags");
            foreach (var t in c.Tags) writer.WriteStringValue(t);
            writer.WriteEndArray();
            JsonOutput.WriteMap(writer, c.Extra);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteString("prompt_id", rubric.PromptId ?? rubric.Id);
        WriteKept(writer, rubric, MetadataKey);
        writer.WriteEndObject();
    }
}
