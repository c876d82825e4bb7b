using Tailmark.Io;

namespace Tailmark.Building;

/// <summary>
/// Picks the pair for a refinement round. Responses are ranked by score (undefined scores last); equal scores are
/// ordered by a seeded hash of the prompt and response ids — deterministic, and never by file order.
/// </summary>
public static class PairSelector
{
    public static (ScoredResponse A, ScoredResponse B)? Select(IReadOnlyList<ScoredResponse> pool, PairStrategy strategy, int seed, string promptId)
    {
        if (pool.Count < 2) return null;
        var ranked = pool
            .OrderByDescending(r => r.Score ?? double.NegativeInfinity)
            .ThenBy(r => SeededHash.Of(seed, "pair-tie", promptId, r.ResponseId))
            .ToList();
        switch (strategy)
        {
            case PairStrategy.Tied:
                foreach (var group in ranked.GroupBy(r => r.Score))
                {
                    if (group.Key is null) break;
                    var members = group.ToList();
                    if (members.Count >= 2) return (members[0], members[1]);
                }
                break;
            case PairStrategy.Diverse:
                var other = ranked.Skip(1).FirstOrDefault(r => r.Generator != ranked[0].Generator);
                if (other is not null) return (ranked[0], other);
                break;
        }
        return (ranked[0], ranked[1]);
    }
}
