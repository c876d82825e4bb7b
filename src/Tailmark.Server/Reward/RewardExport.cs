using System.Diagnostics.Metrics;
using System.Threading.RateLimiting;
using OpenTelemetry;
using OpenTelemetry.Metrics;
using Tailmark.Grading;
using Tailmark.Llm;

namespace Tailmark.Server.Reward;

/// <summary>
/// What <c>/metrics</c> shows, through OpenTelemetry's Prometheus exporter: this server's <see cref="RewardMetrics"/>, its
/// grading walk's <see cref="GradingMetrics"/>, and its gauges and the judges' usage, observed when scraped. One meter
/// provider per server, which takes only this server's meters (others of the same name in the process — a test's second
/// server — are dropped by a view). The exporter keeps today's names: counters already end in <c>_total</c>, the
/// histogram's unit is already in its name, scope labels and <c>target_info</c> are off, and nothing is cached between
/// scrapes (a gauge read twice a second must be current).
/// </summary>
internal sealed class RewardExport : IDisposable
{
    private readonly Meter _observed;

    private RewardExport(Meter observed, MeterProvider provider)
    {
        _observed = observed;
        Provider = provider;
    }

    public MeterProvider Provider { get; }

    public static RewardExport Start(RewardService service, RewardMetrics metrics, ConcurrencyLimiter admission)
    {
        var observed = new Meter(RewardMetrics.MeterName);
        var options = service.Options;
        observed.CreateObservableGauge("tailmark_rubrics", () => service.Index.Count, description: "Instance rubrics served");
        observed.CreateObservableGauge("tailmark_requests_in_flight", () =>
            options.MaxConcurrentRequests - (admission.GetStatistics()?.CurrentAvailablePermits ?? 0), description: "Requests admitted");
        observed.CreateObservableGauge("tailmark_requests_queued", () => admission.GetStatistics()?.CurrentQueuedCount ?? 0,
            description: "Requests waiting for admission");
        observed.CreateObservableGauge("tailmark_items_grading", () => service.Grading, description: "Items being graded");
        observed.CreateObservableGauge("tailmark_saturated_criteria", () => service.Monitor.SaturatedCriteria(),
            description: "Criteria passed by nearly every rollout of their prompt's latest step");
        if (service.Audit is { } audit)
        {
            observed.CreateObservableCounter("tailmark_audit_sampled_total", () => audit.Counts.Sampled,
                description: "Rollouts sampled for the reference-judge audit");
            observed.CreateObservableCounter("tailmark_audit_graded_total", () => audit.Counts.Graded,
                description: "Sampled rollouts the reference judge graded");
            observed.CreateObservableCounter("tailmark_audit_failed_total", () => audit.Counts.Failed,
                description: "Sampled rollouts without a reference reward (its judge failed)");
            observed.CreateObservableCounter("tailmark_audit_dropped_total", () => audit.Counts.Dropped,
                description: "Sampled rollouts dropped: the audit queue was full");
            observed.CreateObservableGauge("tailmark_audit_alarm", () => service.Monitor.AuditAlarm().Firing ? 1 : 0,
                description: "1 while the training reward rises and the reference judge's falls over the latest audited steps");
            observed.CreateObservableGauge("tailmark_audit_gap", () => service.Monitor.LatestAuditGap() ?? double.NaN,
                description: "Mean training reward minus mean reference reward of the latest audited step");
        }
        if (service.Online is { } online)
        {
            observed.CreateObservableCounter("tailmark_refinements_accepted_total", () => online.Counts.Accepted,
                description: "Online refinements checked and swapped in");
            observed.CreateObservableCounter("tailmark_refinements_rejected_total", () => online.Counts.Rejected,
                description: "Online refinement attempts rejected (the proposer or the check; reasons in /v1/refine)");
            observed.CreateObservableGauge("tailmark_refinements_running", () => online.Counts.Running, description: "Online refinements running now");
            observed.CreateObservableGauge("tailmark_refine_budget_left", () => online.Counts.BudgetLeft,
                description: "Online refinement attempts left in the run's budget");
        }
        // Process health, so a soak can tell a leak from the garbage collector's sawtooth: the heap as the last collection left it.
        observed.CreateObservableGauge("process_resident_memory_bytes", () => Environment.WorkingSet);
        observed.CreateObservableGauge("dotnet_gc_heap_after_last_collection_bytes", () => GC.GetGCMemoryInfo().HeapSizeBytes);
        observed.CreateObservableGauge("dotnet_gc_heap_after_last_full_collection_bytes", () => GC.GetGCMemoryInfo(GCKind.FullBlocking).HeapSizeBytes);
        observed.CreateObservableGauge("dotnet_gc_gen2_collections", () => GC.CollectionCount(2));
        // The judges' own meters: what the endpoint costs and how it behaves (retries, failures), beside the server's counters.
        Usage Judge() => service.JudgeUsage();
        observed.CreateObservableCounter("tailmark_judge_http_calls_total", () => Judge().Calls, description: "Judge calls answered");
        observed.CreateObservableCounter("tailmark_judge_retries_total", () => Judge().Retries);
        observed.CreateObservableCounter("tailmark_judge_failures_total", () => Judge().Failures);
        observed.CreateObservableCounter("tailmark_judge_unusable_answers_total", () => Judge().UnusableAnswers);
        observed.CreateObservableCounter("tailmark_judge_prompt_tokens_total", () => Judge().PromptTokens);
        observed.CreateObservableCounter("tailmark_judge_cached_prompt_tokens_total", () => Judge().CachedPromptTokens);
        observed.CreateObservableCounter("tailmark_judge_completion_tokens_total", () => Judge().CompletionTokens);
        observed.CreateObservableCounter("tailmark_judge_cost_usd_total", () => Judge().Cost);
        if (service.Cache is { } cache) ObserveStore(observed, cache);
        var mine = new HashSet<Meter> { observed, metrics.Meter, service.Batch.Metrics.Meter };
        var provider = Sdk.CreateMeterProviderBuilder()
            .AddMeter(RewardMetrics.MeterName, GradingMetrics.MeterName)
            .AddView(instrument => mine.Contains(instrument.Meter) ? null : MetricStreamConfiguration.Drop)
            .AddPrometheusExporter(o =>
            {
                o.ScopeInfoEnabled = false;
                o.TargetInfoEnabled = false;
                o.ScrapeResponseCacheDurationMilliseconds = 0;
            })
            .Build();
        return new RewardExport(observed, provider);
    }

    // The verdict store's health (an outage degrades, so it must be visible) and, on a shared store, its leases.
    private static void ObserveStore(Meter observed, Storage.VerdictCache cache)
    {
        Storage.VerdictStoreHealth Health() => cache.Store.Health;
        observed.CreateObservableGauge("tailmark_verdict_store_up", () => Health().Available ? 1 : 0,
            description: "1 while the verdict store answers, 0 during an outage");
        observed.CreateObservableCounter("tailmark_verdict_store_lookups_total", () => Health().Reads, description: "Lookup round trips to the verdict store");
        observed.CreateObservableCounter("tailmark_verdict_store_writes_total", () => Health().Writes, description: "Write round trips to the verdict store");
        observed.CreateObservableCounter("tailmark_verdict_store_failures_total", () => Health().Failures,
            description: "Store operations that failed or were skipped during an outage");
        observed.CreateObservableGauge("tailmark_verdict_store_pending", () => Health().Pending, description: "Verdicts waiting to be written");
        observed.CreateObservableCounter("tailmark_verdict_store_dropped_total", () => Health().Dropped,
            description: "Verdicts given up (queue overflow during an outage)");
        observed.CreateObservableCounter("tailmark_verdict_store_outages_total", () => Health().Outages,
            description: "Times the verdict store became unreachable");
        if (!cache.Leasing) return;
        observed.CreateObservableCounter("tailmark_verdict_leases_taken_total", () => cache.Leases.Taken, description: "Responses judged under a lease");
        observed.CreateObservableCounter("tailmark_verdict_lease_waits_total", () => cache.Leases.Waited,
            description: "Responses another replica was judging, waited for");
        observed.CreateObservableCounter("tailmark_verdict_lease_served_total", () => cache.Leases.Served,
            description: "Verdicts received from another replica while waiting (judge calls saved)");
        observed.CreateObservableCounter("tailmark_verdict_lease_expired_total", () => cache.Leases.Expired,
            description: "Waits that ended without the verdicts: judged here");
        observed.CreateObservableCounter("tailmark_verdict_lease_unavailable_total", () => cache.Leases.Unavailable,
            description: "Responses judged without a lease because the store could not be asked");
    }

    public void Dispose()
    {
        Provider.Dispose();
        _observed.Dispose();
    }
}
