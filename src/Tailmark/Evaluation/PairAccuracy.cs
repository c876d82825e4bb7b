namespace Tailmark.Evaluation;

/// <summary>
/// Accuracy of a proxy reward against gold on pairs of responses to the same prompt, split by reward region: a
/// pair is "high" when both responses are in the upper half of their prompt's responses by gold, "low" when both
/// are in the lower half. Pairs with equal gold are skipped; a proxy tie (or an undefined proxy) counts wrong.
/// </summary>
public static class PairAccuracy
{
    public sealed record Scored(string PromptId, string ResponseId, double Gold, double? Proxy);

    public static (RegionAccuracy High, RegionAccuracy Low, RegionAccuracy All) Compute(IEnumerable<Scored> responses)
    {
        int hp = 0, hc = 0, ht = 0, lp = 0, lc = 0, lt = 0, ap = 0, ac = 0, at = 0;
        foreach (var group in responses.GroupBy(r => r.PromptId))
        {
            var ranked = group.OrderByDescending(r => r.Gold).ThenBy(r => r.ResponseId, StringComparer.Ordinal).ToList();
            var upper = ranked.Take(ranked.Count / 2).Select(r => r.ResponseId).ToHashSet();
            var lower = ranked.Skip((ranked.Count + 1) / 2).Select(r => r.ResponseId).ToHashSet();
            for (var i = 0; i < ranked.Count; i++)
            {
                for (var j = i + 1; j < ranked.Count; j++)
                {
                    var (a, b) = (ranked[i], ranked[j]);
                    if (a.Gold.Equals(b.Gold)) continue;
                    var better = a.Gold > b.Gold ? a : b;
                    var worse = ReferenceEquals(better, a) ? b : a;
                    var tie = better.Proxy is null || worse.Proxy is null || better.Proxy.Value.Equals(worse.Proxy.Value);
                    var correct = !tie && better.Proxy > worse.Proxy;
                    ap++; ac += correct ? 1 : 0; at += tie ? 1 : 0;
                    if (upper.Contains(a.ResponseId) && upper.Contains(b.ResponseId)) { hp++; hc += correct ? 1 : 0; ht += tie ? 1 : 0; }
                    if (lower.Contains(a.ResponseId) && lower.Contains(b.ResponseId)) { lp++; lc += correct ? 1 : 0; lt += tie ? 1 : 0; }
                }
            }
        }
        return (new RegionAccuracy(hp, hc, ht), new RegionAccuracy(lp, lc, lt), new RegionAccuracy(ap, ac, at));
    }
}
