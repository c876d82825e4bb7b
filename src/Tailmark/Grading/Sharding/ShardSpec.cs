using System.Globalization;

namespace Tailmark.Grading.Sharding;

/// <summary>One part of a sharded grading job: part <see cref="Index"/> of <see cref="Count"/>, both counted from 1 (<c>2/3</c>).</summary>
public readonly record struct ShardSpec
{
    /// <summary>More parts than this is a typo, not a cluster: each part reads the whole input.</summary>
    public const int MaxCount = 4096;

    public ShardSpec(int index, int count)
    {
        if (count < 1 || count > MaxCount) throw new FormatException($"--shard wants I/N with N between 1 and {MaxCount}, not N = {count}");
        if (index < 1 || index > count) throw new FormatException($"--shard wants I/N with 1 ≤ I ≤ N, not {index}/{count}");
        Index = index;
        Count = count;
    }

    public int Index { get; }

    public int Count { get; }

    /// <summary>Reads <c>I/N</c> (<c>1/3</c>, <c>3/3</c>); a clear message for anything else.</summary>
    public static ShardSpec Parse(string text)
    {
        var parts = text.Split('/');
        if (parts.Length != 2 || !TryNumber(parts[0], out var index) || !TryNumber(parts[1], out var count))
        {
            throw new FormatException($"--shard wants I/N (part I of N, counted from 1, e.g. 2/3), not '{text}'");
        }
        return new ShardSpec(index, count);
    }

    public override string ToString() => $"{Index}/{Count}";

    private static bool TryNumber(string text, out int value) =>
        int.TryParse(text.Trim(), NumberStyles.None, CultureInfo.InvariantCulture, out value);
}
