using Tailmark.Io;
using Tailmark.Monitoring;

namespace Tailmark.Evaluation.Report;

/// <summary>
/// The reward server's over-optimization monitor as a run keeps it (<c>monitor.json</c>: <c>tailmark monitor --out</c>,
/// or <c>/v1/monitor</c> saved): the mean reward per step over all prompts, and, when the reference-judge audit ran, the
/// audited rollouts' training and reference rewards per step with the alarm's verdict.
/// </summary>
public static class MonitorSection
{
    public const string File = "monitor.json";

    /// <exception cref="InputException">The file is not a monitor (every problem located).</exception>
    public static async Task<MonitorTable> ReadAsync(string path, CancellationToken ct) =>
        MonitorTable.Parse(await System.IO.File.ReadAllTextAsync(path, ct).ConfigureAwait(false), path);

    /// <summary>
    /// Online refinement as the saved monitor recorded it (<c>refinement</c>, from a server run with
    /// <c>--refine-online</c>): one row per event — rubric, what happened, the versions, the trigger, when, why. Empty
    /// when the monitor has none.
    /// </summary>
    public static async Task<IReadOnlyList<IReadOnlyList<string>>> ReadRefinementsAsync(string path, CancellationToken ct)
    {
        using var doc = System.Text.Json.JsonDocument.Parse(await System.IO.File.ReadAllBytesAsync(path, ct).ConfigureAwait(false));
        if (!doc.RootElement.TryGetProperty("refinement", out var refinement) || refinement.ValueKind != System.Text.Json.JsonValueKind.Object
            || !refinement.TryGetProperty("events", out var events) || events.ValueKind != System.Text.Json.JsonValueKind.Array) return [];
        string Field(System.Text.Json.JsonElement e, string name) => e.TryGetProperty(name, out var v) ? v.ToString() : "";
        return [.. events.EnumerateArray().Where(e => e.ValueKind == System.Text.Json.JsonValueKind.Object).Select(e => (IReadOnlyList<string>)
            [Field(e, "rubric_id"), Field(e, "kind"), Field(e, "from"), Field(e, "version"), Field(e, "trigger"), Field(e, "at"), Field(e, "reason")])];
    }

    public static ReportSection Build(MonitorTable table, IReadOnlyList<IReadOnlyList<string>>? refinements = null)
    {
        // Every prompt's steps pooled: the mean reward of all scored rollouts of a step.
        var pooled = new SortedDictionary<MonitorStepKey, MonitorStep>(MonitorStepKey.Order);
        foreach (var prompt in table.Prompts)
        {
            foreach (var (key, step) in table.Steps(prompt))
            {
                if (!pooled.TryGetValue(key, out var sum)) pooled[key] = sum = new MonitorStep();
                sum.Add(step);
            }
        }
        // One axis: when the trainer sent steps, its step-less items (clock windows) are not drawn (the audit's rule
        // leaves them out too); otherwise the windows are, in minutes since the first.
        if (pooled.Keys.Any(k => !k.IsWindow))
        {
            foreach (var window in pooled.Keys.Where(k => k.IsWindow).ToList()) pooled.Remove(window);
        }
        var origin = pooled.Keys.FirstOrDefault(k => k.IsWindow).Value;
        double X(MonitorStepKey k) => k.IsWindow ? k.Value - origin : k.Value;
        var xTitle = pooled.Keys.All(k => k.IsWindow) ? "minutes since the first window" : "training step";
        var charts = new List<ReportChart>
        {
            new("monitor-reward", "Mean reward of each step's rollouts over all prompts (the trainer's reward).",
                ChartSpec.Lines([ChartSpec.LineDataset("mean reward",
                    pooled.Where(kv => kv.Value.MeanReward is not null).Select(kv => (X(kv.Key), kv.Value.MeanReward!.Value)), 0)],
                    xTitle, "reward", yMin: 0, yMax: 1)),
        };
        var audit = table.AuditSteps() is var all && all.Any(a => !a.Key.IsWindow) ? [.. all.Where(a => !a.Key.IsWindow)] : all;
        var alarm = table.AuditAlarm();
        var description = $"From {File}: {table.Prompts.Count} prompts, {pooled.Count} steps; {table.SaturatedCriteria()} criteria saturated in their " +
            $"prompt's latest step.";
        if (table.Unanswered.Count > 0)
        {
            // A merge that lacked replicas: its figures cover the others only, and the report says so first.
            description = $"PARTIAL: merged without {table.Unanswered.Count} replica(s) that did not answer ({string.Join(", ", table.Unanswered)}). " +
                description;
        }
        if (audit.Count > 0)
        {
            charts.Add(new ReportChart("monitor-audit",
                "Audited rollouts: their training reward and the reference judge's reward for the same responses, per step. The alarm fires when the first " +
                "rises while the second falls.",
                ChartSpec.Lines(
                [
                    ChartSpec.LineDataset("training judge", audit.Select(s => (X(s.Key), s.TrainingMean)), 0),
                    ChartSpec.LineDataset("reference judge", audit.Select(s => (X(s.Key), s.ReferenceMean)), 1, dashed: true),
                ], xTitle, "mean reward of the audited rollouts", yMin: 0, yMax: 1)));
            description += alarm switch
            {
                { Firing: true } => $" Reward-hacking alarm: FIRING — over the latest {alarm.Steps.Count} audited steps the training reward rose " +
                    $"{alarm.TrainingSlope:0.000} per step while the reference judge's fell {-alarm.ReferenceSlope:0.000}.",
                { Evaluable: true } => $" Reward-hacking alarm: silent (training slope {alarm.TrainingSlope:0.000}, reference slope " +
                    $"{alarm.ReferenceSlope:0.000} per step).",
                _ => " Reward-hacking alarm: not enough audited steps yet (3 steps of at least 8 audited rollouts are needed).",
            };
        }
        var tables = new List<ReportTable>();
        if (refinements is { Count: > 0 })
        {
            var accepted = refinements.Count(r => r[1] == "version");
            description += $" Online refinement: {accepted} version(s) swapped in, {refinements.Count(r => r[1] == "rejected")} attempt(s) rejected, " +
                $"{refinements.Count(r => r[1] == "rollback")} rollback(s) in the latest events.";
            tables.Add(new ReportTable("Online refinement events, oldest first (kind: version = swapped in, rejected = failed the check, rollback).",
                ["rubric", "kind", "from version", "version", "trigger", "at", "reason"], refinements));
        }
        return new ReportSection("Over-optimization monitor", description, charts, tables);
    }
}
