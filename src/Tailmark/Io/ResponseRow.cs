using System.Collections.Immutable;
using System.Text.Json;

namespace Tailmark.Io;

/// <summary>A response row (also a pool member): <c>{prompt_id, response_id, response, generator?, metadata?}</c>; other fields pass through.</summary>
public sealed record ResponseRow(string PromptId, string ResponseId, string Response, string? Generator, ImmutableSortedDictionary<string, JsonElement> Extra)
{
    public static ResponseRow? Read(JsonElement json, IssueLog log)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            log.Error(null, $"expected a response object, found {JsonFieldReader.Describe(json)}");
            return null;
        }
        var f = new JsonFieldReader(json, "", log);
        var promptId = f.String("prompt_id", required: true);
        var responseId = f.String("response_id", required: true);
        var response = f.String("response", required: true);
        var generator = f.String("generator");
        var extra = f.Rest(quiet: true);
        TraitFields.Read(extra, log);
        return promptId is null || responseId is null || response is null ? null : new ResponseRow(promptId, responseId, response, generator, extra);
    }

    /// <summary>Writes the row as JSON: prompt_id, response_id, response, generator (when known), then the extra fields.</summary>
    public void Write(Utf8JsonWriter w)
    {
        w.WriteStartObject();
        w.WriteString("prompt_id", PromptId);
        w.WriteString("response_id", ResponseId);
        w.WriteString("response", Response);
        if (Generator is not null) w.WriteString("generator", Generator);
        JsonOutput.WriteMap(w, Extra);
        w.WriteEndObject();
    }

    /// <summary>Loads a response file as a list ordered by prompt id, then response id (never by file order).</summary>
    public static async Task<List<ResponseRow>> LoadOrderedAsync(string path, CancellationToken cancellationToken = default) =>
        [.. (await LoadAsync(path, cancellationToken).ConfigureAwait(false)).Values
            .OrderBy(r => r.PromptId, StringComparer.Ordinal).ThenBy(r => r.ResponseId, StringComparer.Ordinal)];

    /// <summary>Loads a response file keyed by (prompt_id, response_id); every bad line is reported.</summary>
    public static async Task<IReadOnlyDictionary<(string PromptId, string ResponseId), ResponseRow>> LoadAsync(
        string path, CancellationToken cancellationToken = default)
    {
        var rows = new Dictionary<(string, string), ResponseRow>();
        var issues = new List<InputIssue>();
        await foreach (var line in JsonlReader.ReadAsync(path, cancellationToken).ConfigureAwait(false))
        {
            var log = new IssueLog(path, line.Number);
            if (line.ParseError is not null) log.Error(null, line.ParseError);
            else if (Read(line.Json!.Value, log) is { } row && !rows.TryAdd((row.PromptId, row.ResponseId), row))
            {
                log.Error("response_id", $"duplicate response \"{row.ResponseId}\" for prompt \"{row.PromptId}\"");
            }
            issues.AddRange(log.Issues.Where(i => i.IsError));
        }
        if (issues.Count > 0) throw new InputException(issues);
        return rows;
    }
}
