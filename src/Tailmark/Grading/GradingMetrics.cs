using System.Diagnostics;
using System.Diagnostics.Metrics;
using Tailmark.Judging;
using Tailmark.Scoring;

namespace Tailmark.Grading;

/// <summary>
/// The grading walk's counters on its own <see cref="System.Diagnostics.Metrics.Meter"/> (<see cref="MeterName"/>), one
/// per <see cref="BatchGrader"/>: gradings' judge calls and cache hits, verdicts by status, vetoes, suspected
/// injections, coalesced items and failed gradings. Nothing is recorded unless something listens (the reward server
/// exports them at <c>/metrics</c>; the names are the ones it has always shown).
/// </summary>
public sealed class GradingMetrics : IDisposable
{
    public const string MeterName = "Tailmark.Grading";

    private readonly Counter<long> _judgeCalls;
    private readonly Counter<long> _cacheHits;
    private readonly Counter<long> _verdicts;
    private readonly Counter<long> _vetoes;
    private readonly Counter<long> _injections;
    private readonly Counter<long> _coalesced;
    private readonly Counter<long> _failures;

    // One tag per status, made once: this runs for every verdict.
    private static readonly KeyValuePair<string, object?>[] StatusTags =
        [.. Enum.GetValues<VerdictStatus>().Select(s => new KeyValuePair<string, object?>("status", Verdict.StatusName(s)))];

    public GradingMetrics()
    {
        Meter = new Meter(MeterName);
        _judgeCalls = Meter.CreateCounter<long>("tailmark_judge_calls_total", description: "Judge calls asked by gradings (before retries)");
        _cacheHits = Meter.CreateCounter<long>("tailmark_cache_hits_total", description: "Verdicts served by the verdict cache");
        _verdicts = Meter.CreateCounter<long>("tailmark_verdicts_total", description: "Verdicts by status");
        _vetoes = Meter.CreateCounter<long>("tailmark_veto_total", description: "Rewards set by a veto");
        _injections = Meter.CreateCounter<long>("tailmark_injection_suspected_total", description: "Responses that address the grader");
        _coalesced = Meter.CreateCounter<long>("tailmark_coalesced_items_total", description: "Items that shared an identical item's grading");
        _failures = Meter.CreateCounter<long>("tailmark_grading_failures_total", description: "Items whose grading failed");
    }

    public Meter Meter { get; }

    internal void Graded(GradedResponse graded)
    {
        _judgeCalls.Add(graded.JudgeCalls);
        _cacheHits.Add(graded.CacheHits);
        foreach (var v in graded.Row.Verdicts.Values) _verdicts.Add(1, StatusTags[(int)v.Status]);
        if (graded.Result.Breakdown.VetoedBy is not null) _vetoes.Add(1);
        if (graded.Result.Diagnostics.Any(d => d.Code == "injection_suspected")) _injections.Add(1);
    }

    internal void Coalesced() => _coalesced.Add(1);

    internal void Failed() => _failures.Add(1);

    public void Dispose() => Meter.Dispose();
}
