using System.Text.Json;
using Tailmark.Io;
using Tailmark.Judging;
using Tailmark.Scoring;

namespace Tailmark.Server.Reward;

/// <summary>
/// The over-optimization monitor: per prompt and per training step (the item's <c>step</c>, else a one-minute time
/// window), the running reward statistics, each criterion's pass rate, response length, and veto and injection
/// hit rates. A criterion passed by nearly every rollout of the latest step (≥ 95% over at least 8) is flagged as
/// saturated — it no longer separates the tail; length drift is the latest step's mean length over the first's.
/// Keeps the last 64 steps per prompt.
/// </summary>
public sealed class RewardMonitor(TimeProvider? time = null)
{
    public const double SaturationRate = 0.95;
    public const int SaturationMinimum = 8;
    private const int StepsKept = 64;
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly DateTimeOffset _start = (time ?? TimeProvider.System).GetUtcNow();
    private readonly Dictionary<string, SortedDictionary<long, StepStats>> _prompts = new(StringComparer.Ordinal);
    private readonly Lock _lock = new();

    private sealed class StepStats
    {
        public int Count;
        public int Scored;
        public double RewardSum;
        public double RewardSquares;
        public long LengthSum;
        public int Vetoes;
        public int Injections;
        public Dictionary<string, (int Met, int Assessed)> Criteria { get; } = new(StringComparer.Ordinal);
    }

    public void Record(string promptId, long? step, GradedResponse graded, int responseLength)
    {
        var key = step ?? (long)(_time.GetUtcNow() - _start).TotalMinutes;
        lock (_lock)
        {
            if (!_prompts.TryGetValue(promptId, out var steps)) _prompts[promptId] = steps = new SortedDictionary<long, StepStats>();
            if (!steps.TryGetValue(key, out var s)) steps[key] = s = new StepStats();
            s.Count++;
            if (graded.Result.Reward is { } r)
            {
                s.Scored++;
                s.RewardSum += r;
                s.RewardSquares += r * r;
            }
            s.LengthSum += responseLength;
            if (graded.Result.Breakdown.VetoedBy is not null) s.Vetoes++;
            if (graded.Result.Diagnostics.Any(d => d.Code == "injection_suspected")) s.Injections++;
            foreach (var (id, v) in graded.Row.Verdicts)
            {
                if (v.Status == VerdictStatus.CannotAssess) continue;
                var (met, assessed) = s.Criteria.GetValueOrDefault(id);
                s.Criteria[id] = (met + (v.Status == VerdictStatus.Met ? 1 : 0), assessed + 1);
            }
            while (steps.Count > StepsKept) steps.Remove(steps.Keys.First());
        }
    }

    /// <summary>How many criteria are saturated in their prompt's latest step, over all prompts.</summary>
    public int SaturatedCriteria()
    {
        lock (_lock)
        {
            return _prompts.Values.Sum(steps => Saturated(steps.Values.Last()).Count());
        }
    }

    private static IEnumerable<string> Saturated(StepStats s) =>
        s.Criteria.Where(kv => kv.Value.Assessed >= SaturationMinimum && (double)kv.Value.Met / kv.Value.Assessed >= SaturationRate).Select(kv => kv.Key).Order(StringComparer.Ordinal);

    public string RenderJson() => JsonOutput.Render(w =>
    {
        lock (_lock)
        {
            w.WriteStartObject();
            w.WriteStartArray("prompts");
            foreach (var (promptId, steps) in _prompts.OrderBy(p => p.Key, StringComparer.Ordinal))
            {
                w.WriteStartObject();
                w.WriteString("prompt_id", promptId);
                w.WriteStartArray("steps");
                foreach (var (step, s) in steps) WriteStep(w, step, s);
                w.WriteEndArray();
                var latest = steps.Values.Last();
                w.WriteStartArray("saturated");
                foreach (var id in Saturated(latest)) w.WriteStringValue(id);
                w.WriteEndArray();
                var first = steps.Values.First();
                var drift = first.Count == 0 || first.LengthSum == 0 ? (double?)null : (double)latest.LengthSum / latest.Count / ((double)first.LengthSum / first.Count);
                w.WritePropertyName("length_drift");
                if (drift is { } d) JsonNumbers.Write(w, d);
                else w.WriteNullValue();
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
    });

    private static void WriteStep(Utf8JsonWriter w, long step, StepStats s)
    {
        w.WriteStartObject();
        w.WriteNumber("step", step);
        w.WriteNumber("items", s.Count);
        if (s.Scored > 0)
        {
            var mean = s.RewardSum / s.Scored;
            JsonNumbers.Write(w, "mean_reward", mean);
            JsonNumbers.Write(w, "reward_std", Math.Sqrt(Math.Max(0, s.RewardSquares / s.Scored - mean * mean)));
        }
        JsonNumbers.Write(w, "mean_length", (double)s.LengthSum / s.Count);
        JsonNumbers.Write(w, "veto_rate", (double)s.Vetoes / s.Count);
        JsonNumbers.Write(w, "injection_rate", (double)s.Injections / s.Count);
        w.WriteStartObject("pass_rates");
        foreach (var (id, (met, assessed)) in s.Criteria.OrderBy(kv => kv.Key, StringComparer.Ordinal)) JsonNumbers.Write(w, id, (double)met / assessed);
        w.WriteEndObject();
        w.WriteEndObject();
    }
}
