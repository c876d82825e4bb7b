namespace Tailmark.Sim;

/// <summary>
/// A serving engine's prefix cache, simplified: prompts are split into blocks of 16 tokens; a block is cached
/// when some earlier request had the same tokens up to and including it. Bounded (oldest blocks forgotten).
/// </summary>
public sealed class PrefixCache(int capacityBlocks = 1 << 20)
{
    public const int BlockTokens = 16;
    private readonly HashSet<ulong> _blocks = [];
    private readonly Queue<ulong> _order = new();
    private readonly Lock _lock = new();

    /// <summary>Returns how many leading tokens were already cached, then caches every block of this prompt.</summary>
    public int Admit(IReadOnlyList<string> tokens)
    {
        var hashes = new List<ulong>();
        ulong h = 1469598103934665603UL;
        for (var i = 0; i + BlockTokens <= tokens.Count; i += BlockTokens)
        {
            for (var j = i; j < i + BlockTokens; j++)
            {
                foreach (var ch in tokens[j]) h = (h ^ ch) * 1099511628211UL;
                h = (h ^ 0x1F) * 1099511628211UL;
            }
            hashes.Add(h);
        }
        lock (_lock)
        {
            var cached = 0;
            while (cached < hashes.Count && _blocks.Contains(hashes[cached])) cached++;
            foreach (var b in hashes)
            {
                if (!_blocks.Add(b)) continue;
                _order.Enqueue(b);
                if (_order.Count > capacityBlocks) _blocks.Remove(_order.Dequeue());
            }
            return cached * BlockTokens;
        }
    }
}
