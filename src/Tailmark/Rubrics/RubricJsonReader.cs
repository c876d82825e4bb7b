using System.Collections.Immutable;
using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Rubrics;

/// <summary>
/// Reads Tailmark's native rubric object (see docs/formats.md) from parsed JSON. Every structural problem is
/// reported with its field path; the rubric is still returned when it can be, so that validation can go on to
/// the semantic checks of <see cref="RubricValidator"/>.
/// </summary>
public static class RubricJsonReader
{
    public static Rubric? Read(JsonElement json, IssueLog log, string path = "")
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            log.Error(path.Length == 0 ? null : path, $"expected a rubric object, found {JsonFieldReader.Describe(json)}");
            return null;
        }
        var f = new JsonFieldReader(json, path, log);
        var id = f.String("rubric_id", required: true);
        var promptId = f.String("prompt_id");
        var level = ReadLevel(f);
        var prompt = ReadPrompt(f.Raw("prompt"), f.FieldPath("prompt"), log);
        var scope = ReadScope(f);
        var criteria = ReadCriteria(f);
        var version = f.Integer("version") ?? 1;
        var schema = f.Integer("schema_version") ?? Rubric.CurrentSchemaVersion;
        if (schema > Rubric.CurrentSchemaVersion)
        {
            log.Error(f.FieldPath("schema_version"), $"schema version {schema} is newer than this build reads ({Rubric.CurrentSchemaVersion})");
        }
        var cannotAssess = f.String("cannot_assess");
        var metadata = f.Object("metadata") is { } m ? JsonFieldReader.ToMap(m) : JsonMaps.Empty;
        var extra = f.Rest();
        return new Rubric
        {
            Id = id ?? "",
            PromptId = promptId,
            Level = level,
            Prompt = prompt,
            Scope = scope,
            Criteria = criteria,
            Version = version,
            SchemaVersion = schema,
            CannotAssess = cannotAssess,
            Metadata = metadata,
            Extra = extra,
        };
    }

    /// <summary>Reads a prompt given as a string or as a list of {role, content} messages.</summary>
    public static PromptContent? ReadPrompt(JsonElement? value, string path, IssueLog log)
    {
        if (value is not { } v || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.String) return PromptContent.FromText(v.GetString()!);
        if (v.ValueKind != JsonValueKind.Array)
        {
            log.Error(path, $"expected a string or a list of messages, found {JsonFieldReader.Describe(v)}");
            return null;
        }
        var messages = new List<PromptMessage>();
        var i = 0;
        foreach (var item in v.EnumerateArray())
        {
            var itemPath = $"{path}[{i++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                log.Error(itemPath, $"expected a message object, found {JsonFieldReader.Describe(item)}");
                continue;
            }
            var mf = new JsonFieldReader(item, itemPath, log);
            var role = mf.String("role", required: true);
            var content = mf.String("content", required: true);
            mf.Rest();
            if (role is not null && content is not null) messages.Add(new PromptMessage(role, content));
        }
        if (i == 0)
        {
            // No model can be asked an empty conversation.
            log.Error(path, "a prompt needs at least one message");
            return null;
        }
        return PromptContent.FromMessages(messages);
    }

    private static RubricLevel ReadLevel(JsonFieldReader f)
    {
        var text = f.String("level");
        if (text is null) return RubricLevel.Instance;
        if (Enum.TryParse<RubricLevel>(text, ignoreCase: true, out var level) && !int.TryParse(text, out _)) return level;
        f.Log.Error(f.FieldPath("level"), $"unknown level \"{text}\" (expected instance, task or dataset)");
        return RubricLevel.Instance;
    }

    private static RubricScope ReadScope(JsonFieldReader f)
    {
        if (f.Object("applies_to") is not { } obj) return RubricScope.Everything;
        var sf = new JsonFieldReader(obj, f.FieldPath("applies_to"), f.Log);
        var scope = new RubricScope(sf.String("task"), sf.Strings("tags"));
        sf.Rest();
        return scope;
    }

    private static ImmutableArray<Criterion> ReadCriteria(JsonFieldReader f)
    {
        if (f.Array("criteria", required: true) is not { } array) return [];
        var list = ImmutableArray.CreateBuilder<Criterion>();
        var i = 0;
        foreach (var item in array.EnumerateArray())
        {
            var c = CriterionJsonReader.Read(item, $"{f.FieldPath("criteria")}[{i++}]", f.Log);
            if (c is not null) list.Add(c);
        }
        return list.ToImmutable();
    }
}
