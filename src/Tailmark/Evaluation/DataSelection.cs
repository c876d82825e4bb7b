using System.Globalization;

namespace Tailmark.Evaluation;

/// <summary>
/// Rubicon's offline data selection: score a base policy's responses to each prompt with the rubric grader and keep
/// the prompts whose mean score lies in the central quantile band [q_low, q_high] of all prompts' means. Prompts
/// above the band are too easy to teach anything; those below are likely noise or out of reach. Quantiles use
/// linear interpolation between order statistics. A prompt with no scored response is dropped and says so.
/// </summary>
public static class DataSelection
{
    public static IReadOnlyList<SelectionDecision> Select(IEnumerable<(string PromptId, double? Reward)> scored, double low, double high)
    {
        if (!(low >= 0 && low < high && high <= 1)) throw new ArgumentOutOfRangeException(nameof(low), $"need 0 ≤ low < high ≤ 1, got {low},{high}");
        var prompts = scored.GroupBy(s => s.PromptId).Select(g =>
        {
            var values = g.Where(s => s.Reward is not null).Select(s => s.Reward!.Value).ToList();
            return (Id: g.Key, Count: g.Count(), Mean: values.Count == 0 ? (double?)null : values.Average());
        }).OrderBy(p => p.Id, StringComparer.Ordinal).ToList();
        var means = prompts.Where(p => p.Mean is not null).Select(p => p.Mean!.Value).Order().ToArray();
        if (means.Length == 0) return [.. prompts.Select(p => new SelectionDecision(p.Id, p.Count, null, false, "no scored response"))];
        var lo = Bootstrap.Percentile(means, low);
        var hi = Bootstrap.Percentile(means, high);
        string F(double v) => v.ToString("0.###", CultureInfo.InvariantCulture);
        return [.. prompts.Select(p => p.Mean switch
        {
            null => new SelectionDecision(p.Id, p.Count, null, false, "no scored response"),
            var m when m > hi => new SelectionDecision(p.Id, p.Count, m, false, $"too easy: mean {F(m.Value)} above the {F(high * 100)}th percentile {F(hi)}"),
            var m when m < lo => new SelectionDecision(p.Id, p.Count, m, false,
                $"too hard or noisy: mean {F(m.Value)} below the {F(low * 100)}th percentile {F(lo)}"),
            var m => new SelectionDecision(p.Id, p.Count, m, true, $"mean {F(m.Value)} within [{F(lo)}, {F(hi)}]"),
        })];
    }
}
