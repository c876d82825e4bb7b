using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Rubrics.Formats;

/// <summary>
/// The Chasing-the-Tail rubric rows: <c>{prompt, rubrics: [{criterion, weight}], number_of_criteria,
/// total_weight}</c>, weights 1–3. The two counts are derived: checked on import (a mismatch is a warning)
/// and recomputed on export. A row's <c>id</c> or <c>prompt_id</c> becomes the prompt id, else the prompt's hash.
/// </summary>
public sealed class CttFormat : JsonRowFormat
{
    public const string MetadataKey = "ctt";

    public override string Name => "ctt";

    public override string Description => "Chasing-the-Tail rubrics: prompt, rubrics [{criterion, weight 1-3}]";

    protected override string RowNoun => "a Chasing-the-Tail rubric object";

    protected override Rubric Import(JsonFieldReader row)
    {
        var prompt = ReadRequiredPrompt(row, "prompt");
        var promptId = ReadPromptId(row, prompt);
        var criteria = ReadItems(row, "rubrics", "an object with criterion and weight", (cf, i) =>
        {
            var weight = cf.Number("weight", required: true, allowNonFinite: true) ?? 1;
            if (double.IsFinite(weight) && (weight < 1 || weight > 3 || weight != Math.Floor(weight)))
            {
                cf.Log.Warn(cf.FieldPath("weight"), $"Chasing-the-Tail weights are integers 1-3, found {weight}");
            }
            return new Criterion { Id = $"c{i}", Text = cf.String("criterion", required: true) ?? "", Weight = weight, Extra = cf.Rest(quiet: true) };
        });
        CheckCount(row, "number_of_criteria", criteria.Count);
        CheckCount(row, "total_weight", criteria.Sum(c => c.Weight));
        return new Rubric
        {
            Id = promptId,
            PromptId = promptId,
            Prompt = prompt,
            Criteria = [.. criteria],
            Metadata = KeepRest(MetadataKey, row.Rest(quiet: true)),
        };
    }

    private static void CheckCount(JsonFieldReader f, string name, double actual)
    {
        if (!f.Has(name)) return;
        if (f.Number(name, allowNonFinite: true) is { } given && !given.Equals(actual))
        {
            f.Log.Warn(f.FieldPath(name), $"says {given} but the rubric has {actual}; the computed value is used");
        }
    }

    protected override void Write(Utf8JsonWriter writer, Rubric rubric, List<string> warnings)
    {
        writer.WriteStartObject();
        writer.WriteString("id", rubric.PromptId ?? rubric.Id);
        writer.WritePropertyName("prompt");
        RubricJsonWriter.WritePrompt(writer, rubric.Prompt ?? PromptContent.FromText(""));
        writer.WriteStartArray("rubrics");
        foreach (var c in rubric.Criteria)
        {
            if (c.Weight < 0 || c.Scale is not null || c.Check is not null)
            {
                warnings.Add($"{rubric.Id}/{c.Id}: the Chasing-the-Tail format has only positive binary judged criteria");
            }
            writer.WriteStartObject();
            writer.WriteString("criterion", c.Text);
            JsonNumbers.Write(writer, "weight", c.Weight);
            writer.WriteEndObject();
        }
        writer.WriteEndArray();
        writer.WriteNumber("number_of_criteria", rubric.Criteria.Length);
        JsonNumbers.Write(writer, "total_weight", rubric.Criteria.Sum(c => c.Weight));
        WriteKept(writer, rubric, MetadataKey, "id");
        writer.WriteEndObject();
    }
}
