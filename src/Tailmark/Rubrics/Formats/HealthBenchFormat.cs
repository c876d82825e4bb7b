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

    protected override Rubric Import(JsonFieldReader f)
    {
        var promptId = f.String("prompt_id", required: true);
        var prompt = ReadRequiredPrompt(f, "prompt");
        var criteria = ReadItems(f, "rubrics", "a rubric item object", (cf, i) =>
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
            Metadata = KeepRest(MetadataKey, f.Rest(quiet: true)),
        };
    }

    protected override void Write(Utf8JsonWriter w, Rubric r, List<string> warnings)
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
        WriteKept(w, r, MetadataKey);
        w.WriteEndObject();
    }
}
