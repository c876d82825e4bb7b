using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Rubrics;

/// <summary>Writes Tailmark's native rubric object (snake_case; optional fields only when set).</summary>
public static class RubricJsonWriter
{
    public static void Write(Utf8JsonWriter w, Rubric rubric)
    {
        w.WriteStartObject();
        w.WriteString("rubric_id", rubric.Id);
        if (rubric.PromptId is not null) w.WriteString("prompt_id", rubric.PromptId);
        w.WriteString("level", rubric.Level.ToString().ToLowerInvariant());
        if (rubric.Prompt is not null)
        {
            w.WritePropertyName("prompt");
            WritePrompt(w, rubric.Prompt);
        }
        if (!rubric.Scope.IsEmpty)
        {
            w.WriteStartObject("applies_to");
            if (rubric.Scope.Task is not null) w.WriteString("task", rubric.Scope.Task);
            if (!rubric.Scope.Tags.IsDefaultOrEmpty) WriteStrings(w, "tags", rubric.Scope.Tags);
            w.WriteEndObject();
        }
        w.WriteStartArray("criteria");
        foreach (var c in rubric.Criteria) WriteCriterion(w, c);
        w.WriteEndArray();
        w.WriteNumber("version", rubric.Version);
        w.WriteNumber("schema_version", rubric.SchemaVersion);
        if (rubric.CannotAssess is not null) w.WriteString("cannot_assess", rubric.CannotAssess);
        if (rubric.Metadata.Count > 0)
        {
            w.WriteStartObject("metadata");
            JsonOutput.WriteMap(w, rubric.Metadata);
            w.WriteEndObject();
        }
        JsonOutput.WriteMap(w, rubric.Extra);
        w.WriteEndObject();
    }

    public static void WriteCriterion(Utf8JsonWriter w, Criterion c)
    {
        w.WriteStartObject();
        w.WriteString("id", c.Id);
        w.WriteString("text", c.Text);
        JsonNumbers.Write(w, "weight", c.Weight);
        if (c.Category is { } category) w.WriteString("category", category.ToString().ToLowerInvariant());
        if (!c.Tags.IsDefaultOrEmpty) WriteStrings(w, "tags", c.Tags);
        if (c.Scale is { } scale)
        {
            w.WriteStartObject("scale");
            w.WriteStartArray("levels");
            foreach (var level in scale.Levels)
            {
                w.WriteStartObject();
                JsonNumbers.Write(w, "value", level.Value);
                w.WriteString("description", level.Description);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        if (c.Check is { } check)
        {
            w.WriteStartObject("check");
            w.WriteString("type", check.Type);
            JsonOutput.WriteMap(w, check.Parameters);
            w.WriteEndObject();
        }
        if (c.Veto) w.WriteBoolean("veto", true);
        JsonOutput.WriteMap(w, c.Extra);
        w.WriteEndObject();
    }

    public static void WritePrompt(Utf8JsonWriter w, PromptContent prompt)
    {
        if (prompt.Text is not null)
        {
            w.WriteStringValue(prompt.Text);
            return;
        }
        w.WriteStartArray();
        foreach (var m in prompt.Messages)
        {
            w.WriteStartObject();
            w.WriteString("role", m.Role);
            w.WriteString("content", m.Content);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    public static string ToJson(Rubric rubric, bool indented = false) =>
        JsonOutput.Render(w => Write(w, rubric), indented);

    private static void WriteStrings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}
