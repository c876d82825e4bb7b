using System.Collections.Concurrent;
using System.Globalization;
using System.Text;

namespace Tailmark.Server.Reward;

/// <summary>Counters and a latency histogram, rendered in the Prometheus text format at /metrics.</summary>
public sealed class RewardMetrics
{
    private static readonly double[] Buckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
    private readonly ConcurrentDictionary<string, long> _counters = new(StringComparer.Ordinal);
    private readonly long[] _bucketCounts = new long[Buckets.Length];
    private long _latencyCount;
    private long _latencyMicros;

    public void Add(string name, long by = 1) => _counters.AddOrUpdate(name, by, (_, v) => v + by);

    public void Latency(TimeSpan elapsed)
    {
        for (var i = 0; i < Buckets.Length; i++)
        {
            if (elapsed.TotalSeconds <= Buckets[i]) Interlocked.Increment(ref _bucketCounts[i]);
        }
        Interlocked.Increment(ref _latencyCount);
        Interlocked.Add(ref _latencyMicros, (long)(elapsed.TotalMilliseconds * 1000));
    }

    /// <summary>The Prometheus text: this class's counters, then TOTALS (counters kept elsewhere, such as the judges'
    /// usage meters), GAUGES, and the latency histogram.</summary>
    public string Render(IEnumerable<(string Name, double Value)> gauges, IEnumerable<(string Name, double Value)>? totals = null)
    {
        var sb = new StringBuilder();
        foreach (var metric in _counters.GroupBy(kv => kv.Key.Split('{')[0]).OrderBy(g => g.Key, StringComparer.Ordinal))
        {
            sb.Append(CultureInfo.InvariantCulture, $"# TYPE {metric.Key} counter\n");
            foreach (var (name, value) in metric.OrderBy(kv => kv.Key, StringComparer.Ordinal)) sb.Append(CultureInfo.InvariantCulture, $"{name} {value}\n");
        }
        foreach (var (name, value) in totals ?? []) sb.Append(CultureInfo.InvariantCulture, $"# TYPE {name} counter\n{name} {value}\n");
        foreach (var (name, value) in gauges) sb.Append(CultureInfo.InvariantCulture, $"# TYPE {name} gauge\n{name} {value}\n");
        sb.Append("# TYPE tailmark_request_seconds histogram\n");
        for (var i = 0; i < Buckets.Length; i++)
        {
            sb.Append(CultureInfo.InvariantCulture, $"tailmark_request_seconds_bucket{{le=\"{Buckets[i]}\"}} {Interlocked.Read(ref _bucketCounts[i])}\n");
        }
        var count = Interlocked.Read(ref _latencyCount);
        sb.Append(CultureInfo.InvariantCulture, $"tailmark_request_seconds_bucket{{le=\"+Inf\"}} {count}\n");
        sb.Append(CultureInfo.InvariantCulture, $"tailmark_request_seconds_sum {Interlocked.Read(ref _latencyMicros) / 1e6}\n");
        sb.Append(CultureInfo.InvariantCulture, $"tailmark_request_seconds_count {count}\n");
        return sb.ToString();
    }
}
