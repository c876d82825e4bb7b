using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Evaluation.Rl;

/// <summary>
/// <c>rl.json</c>, what <c>tailmark experiment rl --out DIR</c> writes and <c>tailmark report DIR</c> draws:
/// <c>{"kind": "tailmark-rl", "settings": {…}, "runs": [{"config", "seed", "steps": [{"step", "proxy", "gold",
/// "grader_notes", "ungraded", "refined", "rejected", "alarm", "audit_gap"?}]}]}</c> (docs/formats.md).
/// </summary>
public static class RlFile
{
    public const string Name = "rl.json";
    public const string Kind = "tailmark-rl";

    public static void Write(string path, IReadOnlyDictionary<string, string> settings, IReadOnlyList<RlRun> runs)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, JsonOutput.Indented))
        {
            w.WriteStartObject();
            w.WriteString("kind", Kind);
            w.WriteStartObject("settings");
            foreach (var (k, v) in settings) w.WriteString(k, v);
            w.WriteEndObject();
            w.WriteStartArray("runs");
            foreach (var run in runs)
            {
                w.WriteStartObject();
                w.WriteString("config", run.Config);
                w.WriteNumber("seed", run.Seed);
                w.WriteStartArray("steps");
                foreach (var s in run.Steps)
                {
                    w.WriteStartObject();
                    w.WriteNumber("step", s.Step);
                    JsonNumbers.Write(w, "proxy", s.Proxy);
                    JsonNumbers.Write(w, "gold", s.Gold);
                    JsonNumbers.Write(w, "grader_notes", s.GraderNotes);
                    w.WriteNumber("ungraded", s.Ungraded);
                    w.WriteNumber("refined", s.Refined);
                    w.WriteNumber("rejected", s.Rejected);
                    w.WriteBoolean("alarm", s.Alarm);
                    if (!double.IsNaN(s.AuditGap)) JsonNumbers.Write(w, "audit_gap", s.AuditGap);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        using (var file = AtomicFile.Create(path, out var commit))
        {
            file.Write(buffer.GetBuffer(), 0, (int)buffer.Length);
            commit();
        }
    }

    /// <exception cref="InputException">Not an rl.json (the field named).</exception>
    public static (IReadOnlyDictionary<string, string> Settings, IReadOnlyList<RlRun> Runs) Read(string path)
    {
        var log = new IssueLog(path);
        using var doc = JsonDocument.Parse(File.ReadAllBytes(path));
        var root = new JsonFieldReader(doc.RootElement, "", log);
        if (root.String("kind", required: true) is { } kind && kind != Kind) log.Error("kind", $"expected \"{Kind}\", not \"{kind}\"");
        var settings = new SortedDictionary<string, string>(StringComparer.Ordinal);
        if (root.Object("settings") is { } s)
        {
            foreach (var p in s.EnumerateObject()) settings[p.Name] = p.Value.ToString();
        }
        var runs = new List<RlRun>();
        var i = 0;
        foreach (var r in root.Array("runs", required: true) is { } list ? list.EnumerateArray() : default)
        {
            var path0 = $"runs[{i++}]";
            var f = new JsonFieldReader(r, path0, log);
            var config = f.String("config", required: true);
            var seed = f.Integer("seed") ?? 0;
            var steps = new List<RlStep>();
            var k = 0;
            foreach (var e in f.Array("steps", required: true) is { } stepList ? stepList.EnumerateArray() : default)
            {
                var g = new JsonFieldReader(e, $"{path0}.steps[{k++}]", log);
                steps.Add(new RlStep(g.Integer("step") ?? k - 1, g.Number("proxy") ?? double.NaN, g.Number("gold") ?? double.NaN, g.Number("grader_notes") ?? 0,
                    g.Integer("ungraded") ?? 0, g.Integer("refined") ?? 0, g.Integer("rejected") ?? 0, g.Bool("alarm") ?? false,
                    g.Number("audit_gap") ?? double.NaN));
            }
            runs.Add(new RlRun(config ?? "", seed, steps));
        }
        if (log.HasErrors) throw new InputException(log.Issues);
        return (settings, runs);
    }
}
