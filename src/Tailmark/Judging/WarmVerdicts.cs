using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Tailmark.Rubrics;
using Tailmark.Storage;

namespace Tailmark.Judging;

/// <summary>
/// The judge engine's in-memory front of the verdict cache, keyed without hashing: (judge, digest of conversation and
/// response, the criterion object, vote). For a fixed engine those determine the content-addressed cache key, so a hit
/// here is the same verdict the cache would return — found without computing a SHA-256 key per criterion, which on a
/// warm reward server was a quarter of the CPU. Criteria are compared by reference (rubrics are loaded once and reused);
/// an equal criterion in another object simply misses here and is found in the cache. Bounded: cleared when full.
/// </summary>
internal sealed class WarmVerdicts
{
    public const int MaxEntries = 200_000;

    private readonly ConcurrentDictionary<Key, CachedVerdict> _map = new();

    public bool TryGet(int judge, string contentDigest, Criterion criterion, int vote, out CachedVerdict verdict) =>
        _map.TryGetValue(new Key(judge, contentDigest, criterion, vote), out verdict!);

    public void Put(int judge, string contentDigest, Criterion criterion, int vote, CachedVerdict verdict)
    {
        if (_map.Count >= MaxEntries) _map.Clear();
        _map[new Key(judge, contentDigest, criterion, vote)] = verdict;
    }

    private readonly record struct Key(int Judge, string ContentDigest, Criterion Criterion, int Vote)
    {
        public bool Equals(Key other) =>
            Judge == other.Judge && Vote == other.Vote && ReferenceEquals(Criterion, other.Criterion) && string.Equals(ContentDigest, other.ContentDigest, StringComparison.Ordinal);

        public override int GetHashCode() => HashCode.Combine(Judge, Vote, RuntimeHelpers.GetHashCode(Criterion), ContentDigest.GetHashCode(StringComparison.Ordinal));
    }
}
