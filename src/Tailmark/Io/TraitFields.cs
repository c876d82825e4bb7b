using System.Collections.Immutable;
using System.Text.Json;

namespace Tailmark.Io;

/// <summary>
/// The <c>task</c> and <c>tags</c> fields a row may carry among its pass-through fields (they select the task- and
/// dataset-level rubrics layered onto its prompt's rubric). Row readers call this so that a field of the wrong type is a
/// located error rather than a layer silently left out.
/// </summary>
public static class TraitFields
{
    public static (string? Task, ImmutableArray<string>? Tags) Read(IReadOnlyDictionary<string, JsonElement> fields, IssueLog? log = null)
    {
        string? task = null;
        ImmutableArray<string>? tags = null;
        if (fields.TryGetValue("task", out var t) && t.ValueKind != JsonValueKind.Null)
        {
            if (t.ValueKind == JsonValueKind.String) task = t.GetString();
            else log?.Error("task", $"expected a string, found {JsonFieldReader.Describe(t)}");
        }
        if (fields.TryGetValue("tags", out var g) && g.ValueKind != JsonValueKind.Null)
        {
            if (g.ValueKind == JsonValueKind.Array && g.EnumerateArray().All(e => e.ValueKind == JsonValueKind.String))
            {
                tags = [.. g.EnumerateArray().Select(e => e.GetString()!)];
            }
            else
            {
                log?.Error("tags", $"expected a list of strings, found {JsonFieldReader.Describe(g)}");
            }
        }
        return (task, tags);
    }
}
