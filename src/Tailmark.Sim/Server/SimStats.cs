using System.Collections.Concurrent;

namespace Tailmark.Sim.Server;

/// <summary>Thread-safe counters behind <c>GET /v1/sim/stats</c>.</summary>
public sealed class SimStats(int slots)
{
    private long _requests, _completions, _promptTokens, _cachedTokens, _completionTokens, _busyTicks;
    private long _minRetryGapTicks = long.MaxValue;
    private long _inFlight, _peakInFlight, _refusedFormats;
    private readonly ConcurrentDictionary<FaultKind, long> _faults = new();

    public void Request() => Interlocked.Increment(ref _requests);

    /// <summary>A request arrived; with <see cref="Finished"/>, tracks the most requests the server held at once.</summary>
    public void Started()
    {
        var now = Interlocked.Increment(ref _inFlight);
        long peak;
        do
        {
            peak = Interlocked.Read(ref _peakInFlight);
            if (now <= peak) return;
        }
        while (Interlocked.CompareExchange(ref _peakInFlight, now, peak) != peak);
    }

    public void Finished() => Interlocked.Decrement(ref _inFlight);

    public void Fault(FaultKind kind) => _faults.AddOrUpdate(kind, 1, (_, n) => n + 1);

    /// <summary>A request refused for its response_format (a server that cannot do json_schema, or any).</summary>
    public void RefusedResponseFormat() => Interlocked.Increment(ref _refusedFormats);

    /// <summary>Records the time between a 429 and the retry of the same request.</summary>
    public void RetryGap(TimeSpan gap)
    {
        long current;
        do
        {
            current = Interlocked.Read(ref _minRetryGapTicks);
            if (gap.Ticks >= current) return;
        }
        while (Interlocked.CompareExchange(ref _minRetryGapTicks, gap.Ticks, current) != current);
    }

    public void Served(int completions, int promptTokens, int cachedTokens, int completionTokens, TimeSpan busy)
    {
        Interlocked.Add(ref _completions, completions);
        Interlocked.Add(ref _promptTokens, promptTokens);
        Interlocked.Add(ref _cachedTokens, cachedTokens);
        Interlocked.Add(ref _completionTokens, completionTokens);
        Interlocked.Add(ref _busyTicks, busy.Ticks);
    }

    public SimStatsWire Snapshot()
    {
        var busy = TimeSpan.FromTicks(Interlocked.Read(ref _busyTicks)).TotalSeconds;
        return new SimStatsWire(
            Interlocked.Read(ref _requests), Interlocked.Read(ref _completions),
            Enum.GetValues<FaultKind>().ToDictionary(k => k.ToString(), k => _faults.GetValueOrDefault(k)),
            Interlocked.Read(ref _promptTokens), Interlocked.Read(ref _cachedTokens), Interlocked.Read(ref _completionTokens),
            busy, slots, slots == int.MaxValue ? 0 : busy / slots,
            Interlocked.Read(ref _minRetryGapTicks) is var g && g == long.MaxValue ? null : TimeSpan.FromTicks(g).TotalMilliseconds,
            Interlocked.Read(ref _peakInFlight), Interlocked.Read(ref _refusedFormats));
    }

    public void Reset()
    {
        Interlocked.Exchange(ref _requests, 0);
        Interlocked.Exchange(ref _completions, 0);
        Interlocked.Exchange(ref _promptTokens, 0);
        Interlocked.Exchange(ref _cachedTokens, 0);
        Interlocked.Exchange(ref _completionTokens, 0);
        Interlocked.Exchange(ref _busyTicks, 0);
        Interlocked.Exchange(ref _minRetryGapTicks, long.MaxValue);
        Interlocked.Exchange(ref _peakInFlight, Interlocked.Read(ref _inFlight));
        Interlocked.Exchange(ref _refusedFormats, 0);
        _faults.Clear();
    }
}
