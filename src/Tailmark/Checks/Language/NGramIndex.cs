namespace Tailmark.Checks.Language;

/// <summary>
/// From a packed n-gram key to the profile entries that count it: an open-addressing hash table built once at
/// load (about 88,000 keys in 131,072 slots). The detector looks up every 1-, 2- and 3-gram of a text, so a
/// lookup is one probe into one 16-byte slot that holds the key and where its entries lie — memory latency, not
/// arithmetic, is what identification costs.
/// </summary>
internal sealed class NGramIndex
{
    private const int Bits = 17;
    private readonly Slot[] _slots = new Slot[1 << Bits];

    /// <param name="keys">Packed keys (see <see cref="NGramProfiles"/>), never 0.</param>
    /// <param name="offsets">Entries of key k: [offsets[k], offsets[k + 1]).</param>
    public NGramIndex(ReadOnlySpan<ulong> keys, ReadOnlySpan<uint> offsets)
    {
        if (keys.Length > _slots.Length * 3 / 4) throw new InvalidDataException($"{keys.Length} n-grams do not fit the index.");
        for (var k = 0; k < keys.Length; k++)
        {
            var at = Home(keys[k]);
            while (_slots[at].Key != 0) at = (at + 1) & (_slots.Length - 1);
            _slots[at] = new Slot(keys[k], (int)offsets[k], (int)(offsets[k + 1] - offsets[k]));
        }
    }

    /// <summary>How many slots there are: n-gram positions run from 0 to Capacity - 1.</summary>
    public int Capacity => _slots.Length;

    /// <summary>The position of <paramref name="key"/>, or -1 when no profile counted it.</summary>
    public int Find(ulong key)
    {
        if (key == 0) return -1;
        for (var at = Home(key); ; at = (at + 1) & (_slots.Length - 1))
        {
            var found = _slots[at].Key;
            if (found == key) return at;
            if (found == 0) return -1;
        }
    }

    /// <summary>The n-gram's length and where its entries lie.</summary>
    public (int Length, int First, int Count) At(int position)
    {
        ref readonly var slot = ref _slots[position];
        return ((int)(slot.Key >> 48), slot.First, slot.Count);
    }

    // Fibonacci hashing: the top bits of the key times 2^64 / φ.
    private static int Home(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> (64 - Bits));

    private readonly record struct Slot(ulong Key, int First, int Count);
}
