using System.Runtime.CompilerServices;

namespace Tailmark.Storage;

/// <summary>
/// How the in-memory front finds a verdict without hashing: the asker's scope (one object per judge of one judge
/// engine, whose options are fixed), the digest of the conversation and response (hashed once per response), the
/// criterion object and the vote. For a fixed scope these determine the content-addressed store key, so a hit here is
/// the verdict the store would return — found without a SHA-256 per criterion, which on a warm reward server was a
/// quarter of the CPU (docs/benchmarks.md). Scope and criterion are compared by reference (rubrics are loaded once
/// and reused); an equal criterion in another object simply misses here and is found in the store.
/// </summary>
public readonly record struct WarmKey(object Scope, string ContentDigest, object Criterion, int Vote)
{
    public bool Equals(WarmKey other) =>
        Vote == other.Vote && ReferenceEquals(Criterion, other.Criterion) && ReferenceEquals(Scope, other.Scope)
        && string.Equals(ContentDigest, other.ContentDigest, StringComparison.Ordinal);

    public override int GetHashCode() =>
        HashCode.Combine(RuntimeHelpers.GetHashCode(Scope), Vote, RuntimeHelpers.GetHashCode(Criterion), ContentDigest.GetHashCode(StringComparison.Ordinal));
}
