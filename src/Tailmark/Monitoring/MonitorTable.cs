using System.Globalization;
using System.Text.Json;
using Tailmark.Io;
using Tailmark.Judging;

namespace Tailmark.Monitoring;

/// <summary>
/// The over-optimization monitor's table: per prompt, per step (<see cref="MonitorStepKey"/>), the counts of its
/// rollouts (<see cref="MonitorStep"/>); the last <see cref="StepsKept"/> steps of each prompt are kept. Rendered as the
/// JSON of <c>GET /v1/monitor</c> — figures (mean reward, pass rates, saturated criteria, length drift) and the counts
/// behind them — and read back from it, so the tables of several reward-server replicas merge into the one a single
/// server would have kept (<see cref="Merge"/>). Not thread-safe: the server's monitor locks around it.
/// </summary>
public sealed class MonitorTable
{
    /// <summary>A criterion passed by at least this share of the latest step's rollouts no longer separates the tail.</summary>
    public const double SaturationRate = 0.95;

    /// <summary>…over at least this many assessed rollouts (fewer cannot tell).</summary>
    public const int SaturationMinimum = 8;

    public const int StepsKept = 64;

    private readonly Dictionary<string, SortedDictionary<MonitorStepKey, MonitorStep>> _prompts = new(StringComparer.Ordinal);

    public IReadOnlyCollection<string> Prompts => _prompts.Keys;

    /// <summary>
    /// The id of the server process that keeps this table (rendered as <c>instance</c>), so a merge counts each replica
    /// once however it was named; null for a merged table.
    /// </summary>
    public string? Instance { get; init; }

    /// <summary>Read back from a merge that lacked some replicas: their URLs (empty when complete).</summary>
    public IReadOnlyList<string> Unanswered { get; private set; } = [];

    /// <summary>One prompt's kept steps, oldest first (empty for a prompt never seen).</summary>
    public IReadOnlyList<(MonitorStepKey Key, MonitorStep Step)> Steps(string promptId) =>
        _prompts.TryGetValue(promptId, out var steps) ? [.. steps.Select(kv => (kv.Key, kv.Value))] : [];

    public void Record(string promptId, MonitorStepKey key, GradedResponse graded, int responseLength)
    {
        StepFor(promptId, key).Record(graded, responseLength);
        Trim(promptId);
    }

    private MonitorStep StepFor(string promptId, MonitorStepKey key)
    {
        if (!_prompts.TryGetValue(promptId, out var steps)) _prompts[promptId] = steps = new(MonitorStepKey.Order);
        if (!steps.TryGetValue(key, out var s)) steps[key] = s = new MonitorStep();
        return s;
    }

    private void Trim(string promptId)
    {
        var steps = _prompts[promptId];
        while (steps.Count > StepsKept) steps.Remove(steps.Keys.First());
    }

    /// <summary>One audited rollout (<c>serve --audit-judge</c>): its training reward and the reference judge's.</summary>
    public void RecordAudit(string promptId, MonitorStepKey key, double training, double reference)
    {
        StepFor(promptId, key).RecordAudit(training, reference);
        Trim(promptId);
    }

    /// <summary>Every step with audited rollouts, over all prompts, oldest first.</summary>
    public IReadOnlyList<AuditStep> AuditSteps()
    {
        var byStep = new SortedDictionary<MonitorStepKey, (int N, double Training, double Reference)>(MonitorStepKey.Order);
        foreach (var steps in _prompts.Values)
        {
            foreach (var (key, s) in steps)
            {
                if (s.Audited == 0) continue;
                var (n, t, r) = byStep.GetValueOrDefault(key);
                byStep[key] = (n + s.Audited, t + s.AuditTrainingSum, r + s.AuditReferenceSum);
            }
        }
        return [.. byStep.Select(kv => new AuditStep(kv.Key, kv.Value.N, kv.Value.Training / kv.Value.N, kv.Value.Reference / kv.Value.N))];
    }

    public AuditAlarm AuditAlarm() => Monitoring.AuditAlarm.Over(AuditSteps());

    /// <summary>How many criteria are saturated in their prompt's latest step, over all prompts.</summary>
    public int SaturatedCriteria() => _prompts.Values.Sum(steps => steps.Values.Last().Saturated(SaturationRate, SaturationMinimum).Count());

    /// <summary>The table of all TABLES' rollouts together: counts of the same prompt and step added.</summary>
    public static MonitorTable Merge(IEnumerable<MonitorTable> tables) => MergeInto(new MonitorTable(), tables);

    /// <summary>A copy of this table, keeping its <see cref="Instance"/>.</summary>
    public MonitorTable Copy() => MergeInto(new MonitorTable { Instance = Instance }, [this]);

    private static MonitorTable MergeInto(MonitorTable merged, IEnumerable<MonitorTable> tables)
    {
        foreach (var table in tables)
        {
            foreach (var (promptId, steps) in table._prompts)
            {
                foreach (var (key, step) in steps) merged.StepFor(promptId, key).Add(step);
                merged.Trim(promptId);
            }
        }
        return merged;
    }

    /// <summary>The monitor's JSON; EXTRA writes more top-level fields (a merge's replicas).</summary>
    public string Render(Action<Utf8JsonWriter>? extra = null) => JsonOutput.Render(w =>
    {
        w.WriteStartObject();
        if (Instance is not null) w.WriteString("instance", Instance);
        w.WriteStartArray("prompts");
        foreach (var (promptId, steps) in _prompts.OrderBy(p => p.Key, StringComparer.Ordinal))
        {
            w.WriteStartObject();
            w.WriteString("prompt_id", promptId);
            w.WriteStartArray("steps");
            foreach (var (key, s) in steps) WriteStep(w, key, s);
            w.WriteEndArray();
            var latest = steps.Values.Last();
            w.WriteStartArray("saturated");
            foreach (var id in latest.Saturated(SaturationRate, SaturationMinimum)) w.WriteStringValue(id);
            w.WriteEndArray();
            var first = steps.Values.First();
            w.WritePropertyName("length_drift");
            if (first.Items > 0 && first.LengthSum > 0 && latest.Items > 0) JsonNumbers.Write(w, latest.MeanLength / first.MeanLength);
            else w.WriteNullValue();
            w.WriteEndObject();
        }
        w.WriteEndArray();
        WriteAudit(w);
        extra?.Invoke(w);
        w.WriteEndObject();
    });

    // The reference-judge audit over all prompts, when there is one: per step and the alarm's verdict.
    private void WriteAudit(Utf8JsonWriter w)
    {
        var steps = AuditSteps();
        if (steps.Count == 0) return;
        var alarm = Monitoring.AuditAlarm.Over(steps);
        w.WriteStartObject("audit");
        w.WriteBoolean("alarm", alarm.Firing);
        w.WriteBoolean("evaluable", alarm.Evaluable);
        if (alarm.TrainingSlope is { } ts) JsonNumbers.Write(w, "training_slope", ts);
        if (alarm.ReferenceSlope is { } rs) JsonNumbers.Write(w, "reference_slope", rs);
        w.WriteStartArray("steps");
        foreach (var s in steps)
        {
            w.WriteStartObject();
            s.Key.WriteTo(w);
            w.WriteNumber("audited", s.Audited);
            JsonNumbers.Write(w, "training_mean", s.TrainingMean);
            JsonNumbers.Write(w, "reference_mean", s.ReferenceMean);
            JsonNumbers.Write(w, "gap", s.Gap);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
    }


    private static void WriteStep(Utf8JsonWriter w, MonitorStepKey key, MonitorStep s)
    {
        w.WriteStartObject();
        key.WriteTo(w);
        w.WriteNumber("items", s.Items);
        if (s.MeanReward is { } mean) JsonNumbers.Write(w, "mean_reward", mean);
        if (s.RewardStd is { } std) JsonNumbers.Write(w, "reward_std", std);
        if (s.Items > 0)
        {
            JsonNumbers.Write(w, "mean_length", s.MeanLength);
            JsonNumbers.Write(w, "veto_rate", (double)s.Vetoes / s.Items);
            JsonNumbers.Write(w, "injection_rate", (double)s.Injections / s.Items);
        }
        w.WriteStartObject("pass_rates");
        foreach (var (id, (met, assessed)) in s.Criteria.OrderBy(kv => kv.Key, StringComparer.Ordinal)) JsonNumbers.Write(w, id, (double)met / assessed);
        w.WriteEndObject();
        if (s.Audited > 0)
        {
            w.WriteStartObject("audit");
            w.WriteNumber("items", s.Audited);
            JsonNumbers.Write(w, "training_mean", s.AuditTrainingSum / s.Audited);
            JsonNumbers.Write(w, "reference_mean", s.AuditReferenceSum / s.Audited);
            w.WriteEndObject();
        }
        // The sums behind the figures: what a merge over replicas adds up.
        w.WriteStartObject("counts");
        w.WriteNumber("scored", s.Scored);
        JsonNumbers.Write(w, "reward_sum", s.RewardSum);
        JsonNumbers.Write(w, "reward_squares", s.RewardSquares);
        w.WriteNumber("length_sum", s.LengthSum);
        w.WriteNumber("vetoes", s.Vetoes);
        w.WriteNumber("injections", s.Injections);
        if (s.Audited > 0)
        {
            w.WriteNumber("audited", s.Audited);
            JsonNumbers.Write(w, "audit_training_sum", s.AuditTrainingSum);
            JsonNumbers.Write(w, "audit_reference_sum", s.AuditReferenceSum);
        }
        w.WriteStartObject("criteria");
        foreach (var (id, (met, assessed)) in s.Criteria.OrderBy(kv => kv.Key, StringComparer.Ordinal))
        {
            w.WriteStartArray(id);
            w.WriteNumberValue(met);
            w.WriteNumberValue(assessed);
            w.WriteEndArray();
        }
        w.WriteEndObject();
        w.WriteEndObject();
        w.WriteEndObject();
    }

    /// <summary>Reads a monitor's JSON (as <see cref="Render"/> writes it) from SOURCE (a replica's URL, a file).</summary>
    /// <exception cref="InputException">The text is not a monitor, or lacks the counts a merge needs: every problem located.</exception>
    public static MonitorTable Parse(string json, string source)
    {
        var log = new IssueLog(source);
        var parsed = JsonInput.Parse(json, source, null);
        if (parsed.Root is not { ValueKind: JsonValueKind.Object } root)
        {
            throw new InputException(source, parsed.ErrorLine, null, parsed.Error ?? "expected the monitor's object");
        }
        var top = new JsonFieldReader(root, "", log);
        var table = new MonitorTable { Instance = top.String("instance") };
        // A merge's own record of the replicas that did not answer: kept, so a report never passes it off as complete.
        if (top.Array("replicas") is { } replicas)
        {
            table.Unanswered = [.. replicas.EnumerateArray()
                .Where(r => r.ValueKind == JsonValueKind.Object && r.TryGetProperty("ok", out var ok) && ok.ValueKind == JsonValueKind.False)
                .Select(r => r.TryGetProperty("url", out var url) && url.ValueKind == JsonValueKind.String ? url.GetString()! : "?")];
        }
        top.Raw("partial");
        if (top.Array("prompts", required: true) is { } prompts)
        {
            var p = 0;
            foreach (var prompt in prompts.EnumerateArray()) ReadPrompt(table, prompt, $"prompts[{p++}]", log);
        }
        top.Raw("audit"); // recomputed from the steps' counts
        top.Rest(quiet: true);
        if (log.HasErrors) throw new InputException(log.Issues);
        return table;
    }

    private static void ReadPrompt(MonitorTable table, JsonElement prompt, string path, IssueLog log)
    {
        if (prompt.ValueKind != JsonValueKind.Object)
        {
            log.Error(path, $"expected a prompt object, found {JsonFieldReader.Describe(prompt)}");
            return;
        }
        var f = new JsonFieldReader(prompt, path, log);
        var promptId = f.String("prompt_id", required: true);
        if (f.Array("steps", required: true) is not { } steps || promptId is null) return;
        var i = 0;
        foreach (var step in steps.EnumerateArray())
        {
            var at = $"{path}.steps[{i++}]";
            if (step.ValueKind != JsonValueKind.Object)
            {
                log.Error(at, $"expected a step object, found {JsonFieldReader.Describe(step)}");
                continue;
            }
            ReadStep(table, promptId, step, at, log);
        }
        f.Rest(quiet: true);
        if (table._prompts.ContainsKey(promptId)) table.Trim(promptId);
    }

    private static void ReadStep(MonitorTable table, string promptId, JsonElement step, string path, IssueLog log)
    {
        var f = new JsonFieldReader(step, path, log);
        var window = f.Has("window");
        var number = Whole(f, window ? "window" : "step", log);
        var items = Whole(f, "items", log);
        if (f.Object("counts") is not { } counts)
        {
            log.Error(f.FieldPath("counts"), "required field is missing: a monitor without counts (an older server) cannot be merged");
            return;
        }
        var c = new JsonFieldReader(counts, f.FieldPath("counts"), log);
        var scored = Whole(c, "scored", log);
        var rewardSum = c.Number("reward_sum", required: true);
        var rewardSquares = c.Number("reward_squares", required: true);
        var lengthSum = Whole(c, "length_sum", log);
        var vetoes = Whole(c, "vetoes", log);
        var injections = Whole(c, "injections", log);
        // Audit sums are there only for steps with audited rollouts.
        var audited = c.Has("audited") ? Whole(c, "audited", log) : 0;
        var auditTraining = c.Has("audited") ? c.Number("audit_training_sum", required: true) : 0;
        var auditReference = c.Has("audited") ? c.Number("audit_reference_sum", required: true) : 0;
        var criteria = new List<(string Id, int Met, int Assessed)>();
        if (c.Object("criteria") is { } map)
        {
            foreach (var p in map.EnumerateObject())
            {
                var at = $"{c.FieldPath("criteria")}.{p.Name}";
                if (p.Value.ValueKind == JsonValueKind.Array && p.Value.GetArrayLength() == 2 && p.Value[0].TryGetInt32(out var met)
                    && p.Value[1].TryGetInt32(out var assessed)
                    && met >= 0 && assessed >= met)
                {
                    criteria.Add((p.Name, met, assessed));
                }
                else
                {
                    log.Error(at, $"expected [met, assessed] counts, found {JsonFieldReader.Describe(p.Value)}");
                }
            }
        }
        else
        {
            log.Error(c.FieldPath("criteria"), "required field is missing");
        }
        if (number is null || items is null || scored is null || rewardSum is null || rewardSquares is null || lengthSum is null || vetoes is null
            || injections is null) return;
        var s = table.StepFor(promptId, new MonitorStepKey(number.Value, window));
        s.Add((int)items.Value, (int)scored.Value, rewardSum.Value, rewardSquares.Value, lengthSum.Value, (int)vetoes.Value, (int)injections.Value);
        foreach (var (id, met, assessed) in criteria) s.AddCriterion(id, met, assessed);
        if (audited is > 0 && auditTraining is { } trainingSum && auditReference is { } referenceSum) s.AddAudits((int)audited.Value, trainingSum,
            referenceSum);
    }

    // A count or step number: a whole number, not negative (a step may be), within what its field holds.
    private static long? Whole(JsonFieldReader f, string name, IssueLog log)
    {
        if (f.Number(name, required: true) is not { } v) return null;
        var max = name is "step" or "window" or "length_sum" ? 1e15 : int.MaxValue;
        if (v != Math.Floor(v) || Math.Abs(v) > max || (name != "step" && v < 0))
        {
            log.Error(f.FieldPath(name), $"expected a whole number{(name == "step" ? "" : " ≥ 0")}, found {v.ToString(CultureInfo.InvariantCulture)}");
            return null;
        }
        return (long)v;
    }
}
