using System.Diagnostics.Metrics;

namespace Tailmark.Server.Reward;

/// <summary>
/// The reward server's own instruments on its <see cref="System.Diagnostics.Metrics.Meter"/> (<see cref="MeterName"/>):
/// requests by endpoint, errors by status, items and what became of them, and the request latency histogram. The server
/// exports them at <c>/metrics</c> beside the grading walk's (<see cref="Grading.GradingMetrics"/>), its gauges and the
/// judges' usage; the names are those docs/server.md lists, the ones Prometheus users scrape.
/// </summary>
public sealed class RewardMetrics : IDisposable
{
    public const string MeterName = "Tailmark.Reward";

    /// <summary>The latency histogram's buckets, in seconds.</summary>
    public static readonly IReadOnlyList<double> LatencyBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];

    private readonly Counter<long> _requests;
    private readonly Counter<long> _errors;
    private readonly Histogram<double> _latency;

    public RewardMetrics()
    {
        Meter = new Meter(MeterName);
        _requests = Meter.CreateCounter<long>("tailmark_requests_total", description: "Reward requests by endpoint");
        _errors = Meter.CreateCounter<long>("tailmark_errors_total", description: "Error answers by HTTP status");
        Items = Meter.CreateCounter<long>("tailmark_items_total", description: "Items received");
        DeadlineExceeded = Meter.CreateCounter<long>("tailmark_deadline_exceeded_total",
            description: "Requests answered at their deadline with items unfinished");
        ItemsDeadline = Meter.CreateCounter<long>("tailmark_items_deadline_total",
            description: "Items not graded within their request's deadline or the drain");
        Ungraded = Meter.CreateCounter<long>("tailmark_ungraded_items_total", description: "Items answered without a reward");
        RequestsWithoutRubric = Meter.CreateCounter<long>("tailmark_requests_without_rubric_total", description: "Requests none of whose items found a rubric");
        ItemsWithoutRubric = Meter.CreateCounter<long>("tailmark_items_without_rubric_total", description: "Items that found no rubric");
        UnreadableItems = Meter.CreateCounter<long>("tailmark_unreadable_items_total", description: "Items that could not be read");
        _latency = Meter.CreateHistogram("tailmark_request_seconds", unit: "s", description: "Reward request latency",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = LatencyBuckets });
    }

    public Meter Meter { get; }

    public Counter<long> Items { get; }
    public Counter<long> DeadlineExceeded { get; }
    public Counter<long> ItemsDeadline { get; }
    public Counter<long> Ungraded { get; }
    public Counter<long> RequestsWithoutRubric { get; }
    public Counter<long> ItemsWithoutRubric { get; }
    public Counter<long> UnreadableItems { get; }

    public void Request(string endpoint) => _requests.Add(1, new KeyValuePair<string, object?>("endpoint", endpoint));

    public void Error(int status) =>
        _errors.Add(1, new KeyValuePair<string, object?>("status", status.ToString(System.Globalization.CultureInfo.InvariantCulture)));

    public void Latency(TimeSpan elapsed) => _latency.Record(elapsed.TotalSeconds);

    public void Dispose() => Meter.Dispose();
}
