using System.Text.Json;
using Tailmark.Io;
using Tailmark.Rubrics;

namespace Tailmark.Building;

/// <summary>
/// Saves each refinement round as <c>RUN_DIR/rounds/PROMPT/round-K.json</c> (written atomically), so a killed
/// run resumes from the last completed round of every prompt.
/// </summary>
public sealed class RoundStore(string runDir)
{
    public string RunDir { get; } = runDir;

    private string PathFor(string promptId, int round) =>
        Path.Combine(RunDir, "rounds", Safe(promptId), $"round-{round}.json");

    private static string Safe(string id) => string.Concat(id.Select(c => char.IsLetterOrDigit(c) || c is '-' or '_' or '.' ? c : '_'));

    public void Save(string promptId, RoundRecord r)
    {
        var json = JsonOutput.Render(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("round", r.Round);
            w.WriteString("prompt_id", promptId);
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
            if (r.Problem is not null) w.WriteString("problem", r.Problem);
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
        JsonRowSink.WriteTextAsync(PathFor(promptId, r.Round), json + "\n").GetAwaiter().GetResult();
    }

    /// <summary>A saved round, or null when it has not been completed.</summary>
    public RoundRecord? Load(string promptId, int round)
    {
        var path = PathFor(promptId, round);
        if (!File.Exists(path)) return null;
        using var doc = JsonDocument.Parse(File.ReadAllText(path));
        var root = doc.RootElement;
        var log = new IssueLog(path);
        var rubric = RubricJsonReader.Read(root.GetProperty("rubric"), log) ?? throw new InputException(path, null, "rubric", "unreadable saved round");
        var pair = root.GetProperty("pair").EnumerateArray().Select(e => e.GetString()).ToList();
        var scores = root.GetProperty("scores").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.ValueKind == JsonValueKind.Number ? p.Value.GetDouble() : (double?)null);
        var diff = root.GetProperty("diff");
        return new RoundRecord(round, scores, pair.ElementAtOrDefault(0), pair.ElementAtOrDefault(1), rubric,
            new RubricDiff([.. diff.GetProperty("added").EnumerateArray().Select(e => e.GetString()!)], [.. diff.GetProperty("removed").EnumerateArray().Select(e => e.GetString()!)],
                [.. diff.GetProperty("reweighted").EnumerateArray().Select(e => (e.GetProperty("text").GetString()!, e.GetProperty("from").GetDouble(), e.GetProperty("to").GetDouble()))]),
            root.GetProperty("kept_previous").GetBoolean(), root.TryGetProperty("problem", out var p) ? p.GetString() : null);
    }

    private static void Strings(Utf8JsonWriter w, string name, IEnumerable<string> values)
    {
        w.WriteStartArray(name);
        foreach (var v in values) w.WriteStringValue(v);
        w.WriteEndArray();
    }
}
