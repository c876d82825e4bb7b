using System.Text.Json;
using Tailmark.Building.Online;
using Tailmark.Io;
using Tailmark.Rubrics;

namespace Tailmark.Server.Reward;

/// <summary>
/// The bodies of the online-refinement endpoints: <c>GET /v1/rubrics/{id}/history</c> (every version with its rubric,
/// the active one, and the events: versions, rejected attempts with their reasons, rollbacks), a rollback's answer, and
/// <c>GET /v1/refine</c> (running, accepted, rejected, budget left, the latest events).
/// </summary>
public static class OnlineJson
{
    /// <summary>Events <c>GET /v1/refine</c> lists at most (the newest).</summary>
    public const int LatestEvents = 200;

    public static string History(string rubricId, IReadOnlyList<Rubric> versions, int active, IReadOnlyList<RubricVersionEvent> events) =>
        Write(w =>
        {
            w.WriteString("rubric_id", rubricId);
            w.WriteNumber("active_version", active);
            w.WriteStartArray("versions");
            foreach (var v in versions.OrderBy(v => v.Version))
            {
                w.WriteStartObject();
                w.WriteNumber("version", v.Version);
                w.WriteBoolean("active", v.Version == active);
                var made = events.FirstOrDefault(e => e.Kind == RubricVersionEvent.NewVersion && e.Version == v.Version);
                w.WriteString("source", made is null ? "rubrics file" : "online refinement");
                if (made is not null)
                {
                    w.WriteNumber("from", made.From ?? 0);
                    w.WriteString("at", made.At.ToString("O", System.Globalization.CultureInfo.InvariantCulture));
                    w.WriteString("trigger", made.Trigger);
                }
                w.WritePropertyName("rubric");
                RubricJsonWriter.Write(w, v);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteStartArray("events");
            foreach (var e in events) RubricVersionLog.Write(w, e, withRubric: false);
            w.WriteEndArray();
        });

    public static string Event(RubricVersionEvent e) => Write(w =>
    {
        w.WritePropertyName("event");
        RubricVersionLog.Write(w, e, withRubric: false);
    });

    public static string Status(OnlineRefiner online) => Write(w =>
    {
        var (running, accepted, rejected, budgetLeft) = online.Counts;
        w.WriteNumber("running", running);
        w.WriteNumber("accepted", accepted);
        w.WriteNumber("rejected", rejected);
        w.WriteNumber("budget_left", budgetLeft);
        w.WriteStartArray("events");
        var events = online.Events();
        foreach (var e in events.Skip(Math.Max(0, events.Count - LatestEvents))) RubricVersionLog.Write(w, e, withRubric: false);
        w.WriteEndArray();
    });

    /// <summary>Events <c>/v1/monitor</c>'s <c>refinement</c> lists at most (the newest).</summary>
    public const int MonitorEvents = 50;

    /// <summary>
    /// <c>/v1/monitor</c>'s <c>refinement</c> object (this replica's; a merge over replicas leaves it out): the counts, each
    /// refined rubric's active version, and the newest events without their pairs.
    /// </summary>
    public static Action<Utf8JsonWriter> MonitorPart(OnlineRefiner online)
    {
        var (running, accepted, rejected, budgetLeft) = online.Counts;
        var versions = online.ActiveVersions();
        var events = online.Events();
        return w => WriteMonitorPart(w, running, accepted, rejected, budgetLeft, versions, events);
    }

    private static void WriteMonitorPart(Utf8JsonWriter w, int running, long accepted, long rejected, int budgetLeft,
        IReadOnlyList<(string RubricId, int Version)> versions, IReadOnlyList<RubricVersionEvent> events)
    {
        w.WriteStartObject("refinement");
        w.WriteNumber("running", running);
        w.WriteNumber("accepted", accepted);
        w.WriteNumber("rejected", rejected);
        w.WriteNumber("budget_left", budgetLeft);
        w.WriteStartObject("active_versions");
        foreach (var (id, version) in versions) w.WriteNumber(id, version);
        w.WriteEndObject();
        w.WriteStartArray("events");
        foreach (var e in events.Skip(Math.Max(0, events.Count - MonitorEvents)))
        {
            RubricVersionLog.Write(w, e with { ResponseA = null, ResponseB = null }, withRubric: false);
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }

    private static string Write(Action<Utf8JsonWriter> body)
    {
        using var buffer = new MemoryStream();
        using (var w = new Utf8JsonWriter(buffer, JsonOutput.Compact))
        {
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
        }
        return System.Text.Encoding.UTF8.GetString(buffer.ToArray());
    }
}
