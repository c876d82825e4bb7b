namespace Tailmark.Grading.Sharding;

/// <summary>
/// Which part of a sharded grading job grades each input row. A prompt's rows stay in one part (its judge calls share
/// a prompt prefix, and its rubric is composed once), and prompts are dealt heaviest first to the lightest part so far
/// (longest-processing-time scheduling; ties go to the lower part, prompts of equal weight in ordinal order of their
/// ids). The weight of a prompt is the judge questions its rows ask. A row that cannot be read has no prompt: it goes
/// to part ((line − 1) mod N) + 1, which reports its error. The plan depends only on the input's content and N — not
/// on the machine, the row order, the thread count or the order of files on disk.
/// </summary>
public sealed class ShardPlan
{
    /// <summary>The rule's name and version, written into every part's manifest: parts cut by different rules never merge.</summary>
    public const string Rule = "prompt-lpt/1";

    private readonly Dictionary<string, int> _partOfPrompt;
    private readonly long[] _weights;
    private readonly int[] _rows;

    private ShardPlan(int count, Dictionary<string, int> partOfPrompt, long[] weights, int[] rows)
    {
        Count = count;
        _partOfPrompt = partOfPrompt;
        _weights = weights;
        _rows = rows;
    }

    public int Count { get; }

    /// <summary>The summed weight of each part (index 0 is part 1).</summary>
    public IReadOnlyList<long> Weights => _weights;

    /// <summary>The rows of each part (index 0 is part 1).</summary>
    public IReadOnlyList<int> Rows => _rows;

    /// <summary>The heaviest part's weight over the mean part's: 1 is perfect balance, N is everything in one part.</summary>
    public double Imbalance
    {
        get
        {
            var total = _weights.Sum();
            return total == 0 ? 1 : _weights.Max() / ((double)total / Count);
        }
    }

    /// <summary>Plans COUNT parts over ROWS.</summary>
    public static ShardPlan Build(IEnumerable<ShardRow> rows, int count)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        var promptWeights = new Dictionary<string, long>(StringComparer.Ordinal);
        var unreadable = new List<ShardRow>();
        var promptRows = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (row.PromptId is null)
            {
                unreadable.Add(row);
                continue;
            }
            promptWeights[row.PromptId] = promptWeights.GetValueOrDefault(row.PromptId) + Math.Max(0, row.Weight);
            promptRows[row.PromptId] = promptRows.GetValueOrDefault(row.PromptId) + 1;
        }

        var weights = new long[count];
        var rowCounts = new int[count];
        var partOf = new Dictionary<string, int>(promptWeights.Count, StringComparer.Ordinal);
        var lightest = new PriorityQueue<int, (long Weight, int Part)>();
        for (var p = 0; p < count; p++) lightest.Enqueue(p, (0, p));
        foreach (var (prompt, weight) in promptWeights.OrderByDescending(kv => kv.Value).ThenBy(kv => kv.Key, StringComparer.Ordinal))
        {
            var part = lightest.Dequeue();
            partOf[prompt] = part + 1;
            weights[part] += weight;
            rowCounts[part] += promptRows[prompt];
            lightest.Enqueue(part, (weights[part], part));
        }
        foreach (var row in unreadable) rowCounts[UnreadablePart(row.Line, count) - 1]++;
        return new ShardPlan(count, partOf, weights, rowCounts);
    }

    /// <summary>The part (from 1) that grades the row of PROMPTID at LINE; PROMPTID null for a row that cannot be read.</summary>
    public int PartOf(string? promptId, int line) =>
        promptId is not null && _partOfPrompt.TryGetValue(promptId, out var part) ? part : UnreadablePart(line, Count);

    private static int UnreadablePart(int line, int count) => (int)((uint)Math.Max(0, line - 1) % (uint)count) + 1;
}
