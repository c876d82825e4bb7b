using System.Collections.Immutable;
using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Checks.IfEval;

/// <summary>
/// Reads IFEval's input data (<c>{key, prompt, instruction_id_list, kwargs}</c> per line) and a responses file
/// (<c>{prompt, response}</c> per line), reporting every problem with file, line and field.
/// </summary>
public static class IfEvalInput
{
    public static async Task<IReadOnlyList<IfEvalItem>> ReadItemsAsync(string path, CancellationToken cancellationToken = default)
    {
        var items = new List<IfEvalItem>();
        var issues = new List<InputIssue>();
        await foreach (var line in JsonlReader.ReadAsync(path, cancellationToken).ConfigureAwait(false))
        {
            var log = new IssueLog(path, line.Number);
            if (line.ParseError is not null) log.Error(null, line.ParseError);
            else if (line.Json is { ValueKind: JsonValueKind.Object } json && Read(json, log, line.Number) is { } item && !log.HasErrors) items.Add(item);
            else if (line.Json is { ValueKind: not JsonValueKind.Object }) log.Error(null,
                "expected an object with key, prompt, instruction_id_list and kwargs");
            issues.AddRange(log.Issues.Where(i => i.IsError));
        }
        if (issues.Count > 0) throw new InputException(issues);
        return items;
    }

    private static IfEvalItem? Read(JsonElement json, IssueLog log, int line)
    {
        var f = new JsonFieldReader(json, "", log);
        var key = f.String("key", required: true);
        var prompt = f.String("prompt", required: true);
        var ids = f.Strings("instruction_id_list");
        if (!f.Has("instruction_id_list")) log.Error("instruction_id_list", "required field is missing");
        var kwargs = f.Array("kwargs", required: true);
        f.Rest(quiet: true);
        if (key is null || prompt is null || kwargs is null) return null;
        var list = kwargs.Value.EnumerateArray().ToList();
        if (list.Count != ids.Length)
        {
            log.Error("kwargs", $"has {list.Count} entries but instruction_id_list has {ids.Length}");
            return null;
        }
        var checks = ImmutableArray.CreateBuilder<ICheck>();
        for (var i = 0; i < ids.Length; i++)
        {
            var path = $"kwargs[{i}]";
            if (list[i].ValueKind is not (JsonValueKind.Object or JsonValueKind.Null))
            {
                log.Error(path, $"expected an object, found {JsonFieldReader.Describe(list[i])}");
                continue;
            }
            if (!CheckCatalog.IfEvalInstructions.Contains(ids[i]))
            {
                log.Error($"instruction_id_list[{i}]", $"unknown instruction id \"{ids[i]}\"");
                continue;
            }
            var parameters = list[i].ValueKind == JsonValueKind.Object ? JsonFieldReader.ToMap(list[i]) : JsonMapsEmpty;
            if (CheckFactory.Create(ids[i], parameters, log, path) is { } check) checks.Add(check);
        }
        return new IfEvalItem(key, prompt, ids, checks.ToImmutable(), line);
    }

    private static readonly IReadOnlyDictionary<string, JsonElement> JsonMapsEmpty = new Dictionary<string, JsonElement>();

    /// <summary>Reads responses by prompt text; a later line for the same prompt replaces an earlier one.</summary>
    public static async Task<IReadOnlyDictionary<string, string>> ReadResponsesAsync(string path, CancellationToken cancellationToken = default)
    {
        var responses = new Dictionary<string, string>(StringComparer.Ordinal);
        var issues = new List<InputIssue>();
        await foreach (var line in JsonlReader.ReadAsync(path, cancellationToken).ConfigureAwait(false))
        {
            var log = new IssueLog(path, line.Number);
            if (line.ParseError is not null) log.Error(null, line.ParseError);
            else if (line.Json is { ValueKind: JsonValueKind.Object } json)
            {
                var f = new JsonFieldReader(json, "", log);
                var prompt = f.String("prompt", required: true);
                var response = f.String("response", required: true);
                f.Rest(quiet: true);
                if (prompt is not null && response is not null) responses[prompt] = response;
            }
            else log.Error(null, "expected an object with prompt and response");
            issues.AddRange(log.Issues.Where(i => i.IsError));
        }
        if (issues.Count > 0) throw new InputException(issues);
        return responses;
    }
}
