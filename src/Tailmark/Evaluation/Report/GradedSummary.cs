using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Evaluation.Report;

/// <summary>
/// What the report needs from graded rows (the output of <c>grade</c>, <c>score</c> or the reward server): rewards
/// grouped by generator, and for every criterion of every rubric how often it was met among the verdicts that
/// decided (CannotAssess counted apart).
/// </summary>
public sealed class GradedSummary
{
    /// <summary>Pass counts of one criterion of one rubric.</summary>
    public sealed record CriterionCounts(string RubricId, string CriterionId, int Met, int NotMet, int CannotAssess)
    {
        /// <summary>Met over decided verdicts; NaN when no verdict decided.</summary>
        public double PassRate => Met + NotMet == 0 ? double.NaN : (double)Met / (Met + NotMet);
    }

    public required IReadOnlyDictionary<string, IReadOnlyList<double>> RewardsByGenerator { get; init; }
    public required int UndefinedRewards { get; init; }
    public required IReadOnlyList<CriterionCounts> Criteria { get; init; }

    /// <summary>Rows without a <c>generator</c> field are grouped under this name.</summary>
    public const string NoGenerator = "all responses";

    public static async Task<GradedSummary> ReadAsync(string path, CancellationToken ct = default)
    {
        var rewards = new SortedDictionary<string, List<double>>(StringComparer.Ordinal);
        var counts = new SortedDictionary<(string, string), int[]>();
        var undefined = 0;
        await JsonlRows.ReadAsync(path, f =>
        {
            var rubric = f.String("rubric_id") ?? f.String("prompt_id", required: true);
            var generator = f.String("generator") ?? NoGenerator;
            var verdicts = f.Object("verdicts");
            if (f.Raw("reward") is null) f.Log.Error("reward", "missing (is this a graded file?)");
            var reward = f.Number("reward");
            if (f.Log.HasErrors || rubric is null) return null;
            if (reward is { } r) (rewards.TryGetValue(generator, out var list) ? list : rewards[generator] = []).Add(r);
            else undefined++;
            if (verdicts is { } v)
            {
                foreach (var p in v.EnumerateObject())
                {
                    var status = p.Value.ValueKind == JsonValueKind.Object && p.Value.TryGetProperty("status", out var s)
                        && s.ValueKind == JsonValueKind.String ? s.GetString() : null;
                    var slot = status switch { "met" => 0, "not_met" => 1, "cannot_assess" => 2, _ => -1 };
                    if (slot < 0)
                    {
                        f.Log.Error($"verdicts.{p.Name}.status", "expected met, not_met or cannot_assess");
                        continue;
                    }
                    var key = (rubric, p.Name);
                    if (!counts.TryGetValue(key, out var c)) counts[key] = c = new int[3];
                    c[slot]++;
                }
            }
            return rubric;
        }, ct).ConfigureAwait(false);
        return new GradedSummary
        {
            RewardsByGenerator = rewards.ToDictionary(kv => kv.Key, kv => (IReadOnlyList<double>)kv.Value, StringComparer.Ordinal),
            UndefinedRewards = undefined,
            Criteria = [.. counts.Select(kv => new CriterionCounts(kv.Key.Item1, kv.Key.Item2, kv.Value[0], kv.Value[1], kv.Value[2]))],
        };
    }

    /// <summary>Counts in <paramref name="bins"/> equal bins over [lo, hi]; the top edge falls in the last bin.</summary>
    public static int[] Histogram(IEnumerable<double> values, double lo, double hi, int bins)
    {
        var counts = new int[bins];
        var width = (hi - lo) / bins;
        foreach (var v in values)
        {
            var i = width > 0 ? (int)Math.Floor((v - lo) / width) : 0;
            counts[Math.Clamp(i, 0, bins - 1)]++;
        }
        return counts;
    }
}
