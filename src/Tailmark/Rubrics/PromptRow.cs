using System.Collections.Immutable;
using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Rubrics;

/// <summary>A prompt row: <c>{prompt_id, prompt: text | messages, reference_answer?, tags?}</c>; other fields pass through.</summary>
public sealed record PromptRow(string PromptId, PromptContent Prompt, string? ReferenceAnswer, ImmutableArray<string> Tags, ImmutableSortedDictionary<string,
    JsonElement> Extra)
{
    public static PromptRow? Read(JsonElement json, IssueLog log)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            log.Error(null, $"expected a prompt object, found {JsonFieldReader.Describe(json)}");
            return null;
        }
        var f = new JsonFieldReader(json, "", log);
        var id = f.String("prompt_id", required: true);
        var prompt = RubricJsonReader.ReadPrompt(f.Raw("prompt"), "prompt", log);
        if (prompt is null && !log.Issues.Any(i => i.Field == "prompt")) log.Error("prompt", "required field is missing");
        var reference = f.String("reference_answer");
        var tags = f.Strings("tags");
        var extra = f.Rest(quiet: true);
        return id is null || prompt is null ? null : new PromptRow(id, prompt, reference, tags, extra);
    }

    /// <summary>Reads every prompt row of a file, failing with every located problem.</summary>
    public static async Task<IReadOnlyList<PromptRow>> LoadAsync(string path, CancellationToken cancellationToken = default)
    {
        var rows = new List<PromptRow>();
        var issues = new List<InputIssue>();
        var ids = new HashSet<string>(StringComparer.Ordinal);
        await foreach (var line in JsonlReader.ReadAsync(path, cancellationToken).ConfigureAwait(false))
        {
            var log = new IssueLog(path, line.Number);
            if (line.ParseError is not null) log.Error(null, line.ParseError);
            else if (Read(line.Json!.Value, log) is { } row)
            {
                if (!ids.Add(row.PromptId)) log.Error("prompt_id", $"duplicate prompt id \"{row.PromptId}\"");
                else rows.Add(row);
            }
            issues.AddRange(log.Issues.Where(i => i.IsError));
        }
        if (issues.Count > 0) throw new InputException(issues);
        return rows;
    }
}
