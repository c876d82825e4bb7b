using System.Text.Json;
using Tailmark.Io;
using Tailmark.Rubrics;

namespace Tailmark.Building;

/// <summary>
/// Imports candidate pools from other formats into response rows: the Chasing-the-Tail pool format
/// (<c>[{id, prompt, responses: [{generator, response}]}]</c>, as a JSON array or JSONL) and HealthBench examples'
/// reference answers (<c>ideal_completions_data</c>: the ideal completion and the other models' reference
/// completions). Every problem is reported with file, line and field.
/// </summary>
public static class PoolImport
{
    public static async Task<List<ResponseRow>> FromCttAsync(string path, CancellationToken cancellationToken = default)
    {
        var rows = new List<ResponseRow>();
        var issues = new List<InputIssue>();
        await foreach (var row in Rubrics.Formats.JsonRowSource.ReadAsync(path, cancellationToken).ConfigureAwait(false))
        {
            if (row.Json is { ValueKind: JsonValueKind.Object } json)
            {
                var f = new JsonFieldReader(json, row.Path, row.Log);
                var prompt = RubricJsonReader.ReadPrompt(f.Raw("prompt"), f.FieldPath("prompt"), row.Log);
                var id = f.String(f.Has("prompt_id") ? "prompt_id" : "id") ?? (prompt is null ? null : PromptKey.Hash(prompt));
                if (f.Array("responses", required: true) is { } list && id is not null)
                {
                    var i = 0;
                    foreach (var item in list.EnumerateArray())
                    {
                        var itemPath = $"{f.FieldPath("responses")}[{i}]";
                        if (item.ValueKind != JsonValueKind.Object)
                        {
                            row.Log.Error(itemPath, $"expected a response object with generator and response, found {JsonFieldReader.Describe(item)}");
                            i++;
                            continue;
                        }
                        var rf = new JsonFieldReader(item, itemPath, row.Log);
                        var generator = rf.String("generator") ?? "unknown";
                        var text = rf.String("response", required: true);
                        if (text is not null) rows.Add(new ResponseRow(id, $"{generator}-{i}", text, generator, JsonMaps.Empty));
                        i++;
                    }
                }
            }
            else if (row.Json is not null)
            {
                row.Log.Error(row.Path.Length > 0 ? row.Path : null, "expected a pool object with id, prompt and responses");
            }
            issues.AddRange(row.Log.Issues.Where(x => x.IsError));
        }
        if (issues.Count > 0) throw new InputException(issues);
        return rows;
    }

    public static async Task<List<ResponseRow>> FromHealthBenchAsync(string path, CancellationToken cancellationToken = default)
    {
        var rows = new List<ResponseRow>();
        var issues = new List<InputIssue>();
        await foreach (var line in JsonlReader.ReadAsync(path, cancellationToken).ConfigureAwait(false))
        {
            var log = new IssueLog(path, line.Number);
            if (line.Json is not { ValueKind: JsonValueKind.Object } json)
            {
                log.Error(null, line.ParseError ?? "expected a HealthBench example");
            }
            else
            {
                var f = new JsonFieldReader(json, "", log);
                var id = f.String("prompt_id", required: true);
                if (f.Object("ideal_completions_data") is { } data && id is not null)
                {
                    var d = new JsonFieldReader(data, "ideal_completions_data", log);
                    if (d.String("ideal_completion") is { } ideal) rows.Add(new ResponseRow(id, "ideal", ideal, "healthbench-ideal", JsonMaps.Empty));
                    var refs = d.Strings("ideal_completions_ref_completions");
                    for (var i = 0; i < refs.Length; i++) rows.Add(new ResponseRow(id, $"ref-{i}", refs[i], "healthbench-reference", JsonMaps.Empty));
                }
            }
            issues.AddRange(log.Issues.Where(x => x.IsError));
        }
        if (issues.Count > 0) throw new InputException(issues);
        return rows;
    }
}
