using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Rubrics.Formats;

/// <summary>
/// Rubrics-as-Rewards rows: <c>{question|prompt, rubric: [{title, description, weight}], ...}</c>. The
/// category is read from the description's prefix ("Essential Criteria: ...", "Important", "Optional",
/// "Pitfall") and the prefix is removed from the criterion text; the title is kept as an extra field so it
/// is written back. Pitfalls carry negative weights in RaR; that is kept as given.
/// </summary>
public sealed class RarFormat : JsonRowFormat
{
    public const string MetadataKey = "rar";
    private const string PromptFieldKey = "_prompt_field";

    public override string Name => "rar";

    public override string Description => "Rubrics-as-Rewards rows: rubric [{title, description, weight}], category from the description prefix";

    protected override string RowNoun => "a RaR row object";

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

    protected override Rubric Import(JsonFieldReader row)
    {
        var promptField = row.Has("question") || !row.Has("prompt") ? "question" : "prompt";
        var prompt = ReadRequiredPrompt(row, promptField);
        var promptId = ReadPromptId(row, prompt);
        var criteria = ReadItems(row, "rubric", "an object with title, description and weight", (cf, i) =>
        {
            var title = cf.Raw("title");
            var (category, text) = SplitPrefix(cf.String("description", required: true) ?? "");
            var weight = cf.Number("weight", required: true, allowNonFinite: true) ?? 1;
            var extra = cf.Rest(quiet: true);
            if (title is { } t) extra = extra.Add("title", t.Clone());
            return new Criterion { Id = $"c{i}", Text = text, Weight = weight, Category = category, Extra = extra };
        });
        var rest = row.Rest(quiet: true).Add(PromptFieldKey, JsonSerializer.SerializeToElement(promptField, TailmarkJsonContext.Default.String));
        return new Rubric
        {
            Id = promptId,
            PromptId = promptId,
            Prompt = prompt,
            Criteria = [.. criteria],
            Metadata = KeepRest(MetadataKey, rest),
        };
    }

    protected override void Write(Utf8JsonWriter writer, Rubric rubric, List<string> warnings)
    {
        var promptField = rubric.Metadata.TryGetValue(MetadataKey, out var m) && m.ValueKind == JsonValueKind.Object &&
            m.TryGetProperty(PromptFieldKey, out var pf) ? pf.GetString() ?? "question" : "question";
        writer.WriteStartObject();
        writer.WriteString("id", rubric.PromptId ?? rubric.Id);
        writer.WritePropertyName(promptField);
        RubricJsonWriter.WritePrompt(writer, rubric.Prompt ?? PromptContent.FromText(""));
        writer.WriteStartArray("rubric");
        foreach (var c in rubric.Criteria)
        {
            if (c.Scale is not null || c.Check is not null) warnings.Add($"{rubric.Id}/{c.Id}: RaR has no ordinal scales or checks");
            writer.WriteStartObject();
            if (c.Extra.TryGetValue("title", out var title))
            {
                writer.WritePropertyName("title");
                title.WriteTo(writer);
            }
            else
            {
                writer.WriteString("title", c.Id);
            }
            writer.WriteString("description", c.Category is { } cat ? $"{cat} Criteria: {c.Text}" : c.Text);
            JsonNumbers.Write(writer, "weight", c.Weight);
            JsonOutput.WriteMap(writer, c.Extra.Where(e => e.Key != "title"));
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        WriteKept(writer, rubric, MetadataKey, PromptFieldKey, "id");
        writer.WriteEndObject();
    }
}
