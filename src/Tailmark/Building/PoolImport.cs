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
                        var rf = new JsonFieldReader(item, $"{f.FieldPath("responses")}[{i}]", row.Log);
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
        await foreach (var line in JsonlReader.ReadAsync(path, cancellationToken).ConfigureAwait(false))
        {
            if (line.Json is not { ValueKind: JsonValueKind.Object } json)
            {
                throw new InputException(path, line.Number, null, line.ParseError ?? "expected a HealthBench example");
            }
            if (!json.TryGetProperty("prompt_id", out var idEl) || idEl.GetString() is not { } id) throw new InputException(path, line.Number, "prompt_id", "required field is missing");
            if (!json.TryGetProperty("ideal_completions_data", out var data) || data.ValueKind != JsonValueKind.Object) continue;
            if (data.TryGetProperty("ideal_completion", out var ideal) && ideal.ValueKind == JsonValueKind.String)
            {
                rows.Add(new ResponseRow(id, "ideal", ideal.GetString()!, "healthbench-ideal", JsonMaps.Empty));
            }
            if (data.TryGetProperty("ideal_completions_ref_completions", out var refs) && refs.ValueKind == JsonValueKind.Array)
            {
                var i = 0;
                foreach (var r in refs.EnumerateArray())
                {
                    if (r.ValueKind == JsonValueKind.String) rows.Add(new ResponseRow(id, $"ref-{i}", r.GetString()!, "healthbench-reference", JsonMaps.Empty));
                    i++;
                }
            }
        }
        return rows;
    }
}
