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

    protected override Rubric Import(JsonFieldReader f)
    {
        var prompt = ReadRequiredPrompt(f, "prompt");
        var promptId = ReadPromptId(f, prompt);
        var criteria = ReadItems(f, "rubrics", "an object with criterion and weight", (cf, i) =>
        {
            var weight = cf.Number("weight", required: true, allowNonFinite: true) ?? 1;
            if (double.IsFinite(weight) && (weight < 1 || weight > 3 || weight != Math.Floor(weight)))
            {
                cf.Log.Warn(cf.FieldPath("weight"), $"Chasing-the-Tail weights are integers 1-3, found {weight}");
            }
            return new Criterion { Id = $"c{i}", Text = cf.String("criterion", required: true) ?? "", Weight = weight, Extra = cf.Rest(quiet: true) };
        });
        CheckCount(f, "number_of_criteria", criteria.Count);
        CheckCount(f, "total_weight", criteria.Sum(c => c.Weight));
        return new Rubric
        {
            Id = promptId,
            PromptId = promptId,
            Prompt = prompt,
            Criteria = [.. criteria],
            Metadata = KeepRest(MetadataKey, f.Rest(quiet: true)),
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

    protected override void Write(Utf8JsonWriter w, Rubric r, List<string> warnings)
    {
        w.WriteStartObject();
        w.WriteString("id", r.PromptId ?? r.Id);
        w.WritePropertyName("prompt");
        RubricJsonWriter.WritePrompt(w, r.Prompt ?? PromptContent.FromText(""));
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
        WriteKept(w, r, MetadataKey, "id");
        w.WriteEndObject();
    }
}
