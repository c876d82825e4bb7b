namespace Tailmark.Server.Reward;

/// <summary>
/// Remembers, over the last <see cref="Window"/> requests with items, which found no rubric for any item — the sign of
/// a misconfiguration (prompt ids not sent, a chat template not recovered) that would otherwise train on fixed rewards.
/// </summary>
public sealed class NoRubricWatch
{
    public const int Window = 100;
    private readonly bool[] _recent = new bool[Window];
    private readonly Lock _lock = new();
    private int _next;
    private int _seen;

    public void Record(RewardBatch batch)
    {
        if (batch.Results.Count == 0) return;
        lock (_lock)
        {
            _recent[_next] = batch.NothingFound;
            _next = (_next + 1) % Window;
            _seen = Math.Min(Window, _seen + 1);
        }
    }

    /// <summary>How many of the last <c>Seen</c> requests found no rubric at all.</summary>
    public (int NothingFound, int Seen) Recent()
    {
        lock (_lock)
        {
            return (_recent.Take(_seen).Count(x => x), _seen);
        }
    }
}
