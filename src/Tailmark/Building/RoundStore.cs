using System.Collections.Immutable;
using System.Text.Json;
using Tailmark.Io;
using Tailmark.Rubrics;

namespace Tailmark.Building;

/// <summary>
/// Saves each refinement round as <c>RUN_DIR/rounds/RUBRIC/round-K.json</c> (written atomically), so a killed run
/// resumes from the last completed round of every rubric. The folder is the <see cref="SafeName"/> of the rubric id,
/// which never gives two ids one folder; a round read back is checked field by field and must belong to the rubric
/// asking for it, so a damaged or foreign file is an error naming it, never a silently wrong rubric. A problem (a
/// proposer's error text) is saved with known secrets masked.
/// </summary>
public sealed class RoundStore(string runDir, SecretRedactor? redactor = null)
{
    public string RunDir { get; } = runDir;

    /// <summary>The file of one round of one rubric.</summary>
    public string PathFor(string rubricId, int round) => Path.Combine(RunDir, "rounds", SafeName.For(rubricId), $"round-{round}.json");

    // Runs written before the folder names were made collision-free used the prompt id with unsafe characters
    // replaced; their rounds are still read (and checked to belong to the rubric).
    private string LegacyPathFor(string promptId, int round) =>
        Path.Combine(RunDir, "rounds", string.Concat(promptId.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_')), $"round-{round}.json");

    public void Save(RoundRecord r)
    {
        var json = JsonOutput.Render(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("round", r.Round);
            w.WriteString("rubric_id", r.Rubric.Id);
            w.WriteString("prompt_id", r.Rubric.PromptId ?? r.Rubric.Id);
            w.WriteStartObject("scores");
            foreach (var (id, s) in r.Scores.OrderBy(kv => kv.Key, StringComparer.Ordinal))
            {
                w.WritePropertyName(id);
                if (s is { } v) JsonNumbers.Write(w, v);
                else w.WriteNullValue();
            }
            w.WriteEndObject();
            w.WriteStartArray("pair");
            if (r.ResponseA is not null) w.WriteStringValue(r.ResponseA);
            if (r.ResponseB is not null) w.WriteStringValue(r.ResponseB);
            w.WriteEndArray();
            w.WriteBoolean("kept_previous", r.KeptPrevious);
            if (r.Problem is not null) w.WriteString("problem", redactor?.Redact(r.Problem) ?? r.Problem);
            w.WriteStartObject("diff");
            Strings(w, "added", r.Diff.Added);
            Strings(w, "removed", r.Diff.Removed);
            w.WriteStartArray("reweighted");
            foreach (var (text, from, to) in r.Diff.Reweighted)
            {
                w.WriteStartObject();
                w.WriteString("text", text);
                JsonNumbers.Write(w, "from", from);
                JsonNumbers.Write(w, "to", to);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
            w.WritePropertyName("rubric");
            RubricJsonWriter.Write(w, r.Rubric);
            w.WriteEndObject();
        }, indented: true);
        JsonRowSink.WriteTextAsync(PathFor(r.Rubric.Id, r.Round), json + "\n").GetAwaiter().GetResult();
    }

    /// <summary>The saved round <paramref name="round"/> of <paramref name="rubric"/>, or null when it has not been completed.</summary>
    /// <exception cref="InputException">The file is damaged or belongs to another rubric (every problem located).</exception>
    public RoundRecord? Load(Rubric rubric, int round)
    {
        var path = PathFor(rubric.Id, round);
        if (!File.Exists(path))
        {
            path = LegacyPathFor(rubric.PromptId ?? rubric.Id, round);
            if (!File.Exists(path)) return null;
        }
        var log = new IssueLog(path);
        var record = Read(path, log);
        if (record is not null && record.Round != round) log.Error("round", $"the file holds round {record.Round}, not {round}");
        if (record is not null && record.Rubric.Id != rubric.Id)
        {
            log.Error("rubric.rubric_id", $"the round belongs to rubric \"{record.Rubric.Id}\", not \"{rubric.Id}\"");
        }
        if (log.HasErrors || record is null)
        {
            var issues = log.Issues.Where(i => i.IsError).ToList();
            issues.Add(new InputIssue(IssueSeverity.Error, path, null, null,
                "a saved refinement round that cannot be resumed: delete the file to redo the round"));
            throw new InputException(issues);
        }
        return record;
    }

    /// <summary>Reads a round file, logging every problem with its field (and the line, for malformed JSON).</summary>
    public static RoundRecord? Read(string path, IssueLog log)
    {
        string text;
        using (var reader = JsonlReader.OpenText(path)) text = reader.ReadToEnd();
        var parsed = JsonInput.Parse(text, path, null);
        if (parsed.Root is not { } root)
        {
            log.Add(new InputIssue(IssueSeverity.Error, path, parsed.ErrorLine, null, parsed.Error!));
            return null;
        }
        if (root.ValueKind != JsonValueKind.Object)
        {
            log.Error(null, $"expected a round object, found {JsonFieldReader.Describe(root)}");
            return null;
        }
        var f = new JsonFieldReader(root, "", log);
        var number = f.Integer("round");
        if (number is null && !f.Has("round")) log.Error("round", "required field is missing");
        f.String("rubric_id");
        f.String("prompt_id");
        var scores = new Dictionary<string, double?>(StringComparer.Ordinal);
        if (f.Object("scores") is { } scoreMap)
        {
            var sf = new JsonFieldReader(scoreMap, "scores", log);
            foreach (var p in scoreMap.EnumerateObject())
            {
                var value = sf.Number(p.Name);
                if (value is { } v && !double.IsFinite(v)) log.Error(sf.FieldPath(p.Name), "a score must be a finite number or null");
                scores[p.Name] = value;
            }
        }
        var pair = f.Strings("pair");
        if (pair.Length > 2) log.Error("pair", $"a pair has two responses, not {pair.Length}");
        var kept = f.Bool("kept_previous");
        if (kept is null && !f.Has("kept_previous")) log.Error("kept_previous", "required field is missing");
        var problem = f.String("problem");
        var diff = ReadDiff(f, log);
        Rubric? rubric = null;
        if (f.Raw("rubric") is { } rubricJson)
        {
            rubric = RubricJsonReader.Read(rubricJson, log, "rubric");
            if (rubric is not null) RubricValidator.Validate(rubric, log, "rubric");
        }
        else
        {
            log.Error("rubric", "required field is missing");
        }
        f.Rest(quiet: true);
        if (log.HasErrors || number is null || kept is null || rubric is null || diff is null) return null;
        return new RoundRecord(number.Value, scores, pair.ElementAtOrDefault(0), pair.ElementAtOrDefault(1), rubric, diff, kept.Value, problem);
    }

    private static RubricDiff? ReadDiff(JsonFieldReader f, IssueLog log)
    {
        if (f.Object("diff") is not { } diff)
        {
            if (!f.Has("diff")) log.Error("diff", "required field is missing");
            return null;
        }
        var d = new JsonFieldReader(diff, "diff", log);
        var added = d.Strings("added");
        var removed = d.Strings("removed");
        var reweighted = ImmutableArray.CreateBuilder<(string, double, double)>();
        if (d.Array("reweighted") is { } list)
        {
            var i = 0;
            foreach (var item in list.EnumerateArray())
            {
                var path = $"diff.reweighted[{i++}]";
                if (item.ValueKind != JsonValueKind.Object)
                {
                    log.Error(path, $"expected {{text, from, to}}, found {JsonFieldReader.Describe(item)}");
                    continue;
                }
                var rf = new JsonFieldReader(item, path, log);
                var text = rf.String("text", required: true);
                var from = rf.Number("from", required: true);
                var to = rf.Number("to", required: true);
                rf.Rest(quiet: true);
                if (text is not null && from is { } a && to is { } b) reweighted.Add((text, a, b));
            }
        }
        d.Rest(quiet: true);
        return new RubricDiff(added, removed, reweighted.ToImmutable());
    }

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}
