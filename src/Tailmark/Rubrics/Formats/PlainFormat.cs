using System.Collections.Immutable;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Rubrics.Formats;

/// <summary>
/// A plain list of criterion strings. A <c>.txt</c> file is one rubric, one criterion per non-blank line;
/// otherwise each JSONL row (or each element of a <c>.json</c> array of arrays) is a list of strings, or an
/// object <c>{prompt_id?, prompt?, criteria: [strings]}</c>. Every criterion gets weight 1.
/// </summary>
public sealed class PlainFormat : IRubricFormat
{
    public string Name => "plain";

    public string Description => "plain lists of criterion strings (.txt one per line, or JSON lists)";

    public async IAsyncEnumerable<RubricRow> ReadAsync(string path, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        var stem = Path.GetFileNameWithoutExtension(path);
        if (path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
        {
            using var reader = JsonlReader.OpenText(path);
            var lines = new List<string>();
            while (await reader.ReadLineAsync(cancellationToken).ConfigureAwait(false) is { } line)
            {
                if (!string.IsNullOrWhiteSpace(line)) lines.Add(line.Trim());
            }
            var log = new IssueLog(path);
            var rubric = Build(stem, null, null, lines);
            RubricValidator.Validate(rubric, log);
            yield return new RubricRow(rubric, log.Issues);
            yield break;
        }
        var index = 0;
        await foreach (var row in JsonRowSource.ReadAsync(path, cancellationToken).ConfigureAwait(false))
        {
            index++;
            yield return Import(row, $"{stem}-{row.Log.Line ?? index}");
        }
    }

    private static RubricRow Import(JsonRowSource.Row row, string fallbackId)
    {
        if (row.Json is not { } json) return new RubricRow(null, row.Log.Issues);
        string? promptId = null;
        PromptContent? prompt = null;
        var list = json;
        var listPath = row.Path;
        if (json.ValueKind == JsonValueKind.Object)
        {
            var f = new JsonFieldReader(json, row.Path, row.Log);
            promptId = f.String("prompt_id");
            prompt = RubricJsonReader.ReadPrompt(f.Raw("prompt"), f.FieldPath("prompt"), row.Log);
            list = f.Array("criteria", required: true) ?? default;
            listPath = f.FieldPath("criteria");
            f.Rest();
        }
        var texts = new List<string>();
        if (list.ValueKind == JsonValueKind.Array)
        {
            var i = 0;
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind == JsonValueKind.String) texts.Add(item.GetString()!);
                else row.Log.Error($"{listPath}[{i}]", $"expected a criterion string, found {JsonFieldReader.Describe(item)}");
                i++;
            }
        }
        else if (json.ValueKind != JsonValueKind.Object)
        {
            row.Log.Error(row.Path.Length > 0 ? row.Path : null, $"expected a list of criterion strings, found {JsonFieldReader.Describe(json)}");
            return new RubricRow(null, row.Log.Issues);
        }
        var rubric = Build(promptId ?? (prompt is null ? fallbackId : PromptKey.Hash(prompt)), promptId, prompt, texts);
        RubricValidator.Validate(rubric, row.Log, row.Path);
        return new RubricRow(rubric, row.Log.Issues, row.Log.Line);
    }

    private static Rubric Build(string id, string? promptId, PromptContent? prompt, IEnumerable<string> texts) => new()
    {
        Id = id,
        PromptId = promptId,
        Prompt = prompt,
        Criteria = [.. texts.Select((t, i) => new Criterion { Id = $"c{i + 1}", Text = t, Weight = 1 })],
    };

    public async Task<IReadOnlyList<string>> WriteAsync(IAsyncEnumerable<Rubric> rubrics, string path, CancellationToken cancellationToken = default)
    {
        var warnings = new List<string>();
        if (path.EndsWith(".txt", StringComparison.OrdinalIgnoreCase))
        {
            var all = new List<Rubric>();
            await foreach (var r in rubrics.WithCancellation(cancellationToken).ConfigureAwait(false)) all.Add(r);
            if (all.Count != 1) warnings.Add($"a .txt plain list holds one rubric; {all.Count} were concatenated");
            Warn(all, warnings);
            var text = string.Concat(all.SelectMany(r => r.Criteria).Select(c => c.Text.ReplaceLineEndings(" ") + "\n"));
            await JsonRowSink.WriteTextAsync(path, text, cancellationToken).ConfigureAwait(false);
            return warnings;
        }
        await JsonRowSink.WriteAsync(rubrics, path, (w, r) =>
        {
            Warn([r], warnings);
            w.WriteStartObject();
            if (r.PromptId is not null) w.WriteString("prompt_id", r.PromptId);
            if (r.Prompt is { } p)
            {
                w.WritePropertyName("prompt");
                RubricJsonWriter.WritePrompt(w, p);
            }
            w.WriteStartArray("criteria");
            foreach (var c in r.Criteria) w.WriteStringValue(c.Text);
            w.WriteEndArray();
            w.WriteEndObject();
        }, cancellationToken).ConfigureAwait(false);
        return warnings;
    }

    private static void Warn(IEnumerable<Rubric> rubrics, List<string> warnings)
    {
        foreach (var r in rubrics)
        {
            if (r.Criteria.Any(c => !c.Weight.Equals(1) || c.Scale is not null || c.Check is not null || c.Veto))
            {
                warnings.Add($"{r.Id}: a plain list keeps only criterion texts; weights, scales, checks and vetoes were dropped");
            }
        }
    }
}
