using System.Security.Cryptography;
using System.Text;

namespace Tailmark.Llm;

/// <summary>
/// Rendezvous (highest-random-weight) hashing: a key belongs to the replica whose hash of (replica, key) is highest. Every
/// replica scores every key on its own, so removing a replica moves only the keys it owned — to their second choice —
/// and adding one takes from each of the others an equal share.
/// </summary>
public static class ReplicaChoice
{
    /// <summary>The weight of REPLICA for KEY: the first 8 bytes of SHA-256 over both (stable across processes and machines).</summary>
    public static ulong Weight(string replica, string key)
    {
        var text = Encoding.UTF8.GetBytes(replica + "\n" + key);
        Span<byte> hash = stackalloc byte[32];
        SHA256.HashData(text, hash);
        return BitConverter.ToUInt64(hash[..8]);
    }

    /// <summary>The index in REPLICAS of the one KEY belongs to (ties, astronomically rare, go to the earlier).</summary>
    public static int Owner(IReadOnlyList<string> replicas, string key)
    {
        ArgumentOutOfRangeException.ThrowIfZero(replicas.Count);
        var best = 0;
        var bestWeight = Weight(replicas[0], key);
        for (var i = 1; i < replicas.Count; i++)
        {
            var w = Weight(replicas[i], key);
            if (w > bestWeight) (best, bestWeight) = (i, w);
        }
        return best;
    }
}
