using System.Collections.Concurrent;
using System.Collections.Immutable;
using System.Threading.RateLimiting;
using Tailmark.Io;
using Tailmark.Judging;
using Tailmark.Llm;
using Tailmark.Rubrics;
using Tailmark.Scoring;
using Tailmark.Server.Reward.Text;

namespace Tailmark.Server.Reward;

/// <summary>
/// Rewards a batch of items: finds each item's rubric, grades it (checks, judge, scoring), and answers in item order.
/// Identical items in flight at the same time — same rubric, same response — share one grading. At most
/// <see cref="RewardServerOptions.GradingSlots"/> items are graded at once over all requests, taken in arrival order
/// (a request queues at most that many, so a large request and a small one take turns). At the deadline the request is
/// answered: finished items with their rewards, the rest flagged; items not yet started are shed, items being graded
/// finish in the background (bounded by the slots) and fill the verdict cache. One bad item never fails the batch.
/// </summary>
public sealed class RewardService(RubricIndex index, ResponseGrader grader, RewardServerOptions options, RewardMetrics metrics, RewardMonitor? monitor = null)
{
    public RewardMonitor Monitor { get; } = monitor ?? new RewardMonitor();

    private readonly ConcurrentDictionary<string, Lazy<Task<GradedResponse>>> _inFlight = new(StringComparer.Ordinal);
    private readonly ConcurrencyLimiter _slots = new(new ConcurrencyLimiterOptions
    {
        PermitLimit = options.GradingSlots,
        QueueLimit = int.MaxValue,
        QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
    });
    private readonly CancellationTokenSource _stop = new();

    public RubricIndex Index => index;

    /// <summary>The clean-up every protocol applies to responses (end tokens, reasoning).</summary>
    public ResponseCleaner Cleaner { get; } = new(options.EndTokens, options.KeepReasoning);

    public RewardServerOptions Options => options;

    public NoRubricWatch NoRubric { get; } = new();

    public Usage JudgeUsage() => grader.JudgeUsage();

    /// <summary>Items being graded now, over all requests.</summary>
    public int Grading => options.GradingSlots - (int)(_slots.GetStatistics()?.CurrentAvailablePermits ?? options.GradingSlots);

    /// <summary>Cancelled when the drain time after a stop has run out: waiting requests answer with what they have.</summary>
    public CancellationToken Stopped => _stop.Token;

    /// <summary>Starts the drain: requests in flight get <paramref name="drain"/> to finish, then are answered as they stand.</summary>
    public void BeginStop(TimeSpan drain) => _stop.CancelAfter(drain);

    // One counter name per status, built once: this runs for every verdict served.
    private static readonly string[] VerdictCounter = [.. Enum.GetValues<VerdictStatus>().Select(s => $"tailmark_verdicts_total{{status=\"{Verdict.StatusName(s)}\"}}")];

    public async Task<RewardBatch> RewardAsync(IReadOnlyList<RewardItem> items, TimeSpan? deadline, CancellationToken cancellationToken)
    {
        metrics.Add("tailmark_items_total", items.Count);
        var results = new ItemResult?[items.Count];
        var limit = deadline ?? options.Deadline;
        using var shed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var work = Parallel.ForEachAsync(Enumerable.Range(0, items.Count),
            new ParallelOptions { MaxDegreeOfParallelism = Math.Min(options.GradingSlots, Math.Max(1, items.Count)), CancellationToken = shed.Token },
            async (i, token) => results[i] = await ItemAsync(items[i], i, token).ConfigureAwait(false));
        UngradedKind? missed = null;
        try
        {
            // WaitAsync drops its timer as soon as the batch is done; a Task.Delay per request would keep one alive
            // for the whole deadline (two minutes by default) — hundreds of thousands of timers under load.
            await work.WaitAsync(limit, _stop.Token).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            missed = UngradedKind.Deadline;
            metrics.Add("tailmark_deadline_exceeded_total");
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            missed = UngradedKind.Stopping;
        }
        finally
        {
            // Nothing more starts for this request; what is being graded finishes and fills the cache.
            await shed.CancelAsync().ConfigureAwait(false);
        }
        cancellationToken.ThrowIfCancellationRequested();
        var answered = new ItemResult[items.Count];
        for (var i = 0; i < answered.Length; i++)
        {
            answered[i] = Volatile.Read(ref results[i]) ?? Missed(missed ?? UngradedKind.Deadline, limit, items[i]);
        }
        var missedCount = answered.Count(r => r.DeadlineExceeded);
        if (missedCount > 0) metrics.Add("tailmark_items_deadline_total", missedCount);
        var batch = new RewardBatch(answered);
        metrics.Add("tailmark_ungraded_items_total", batch.Ungraded);
        NoRubric.Record(batch);
        if (batch.NothingFound) metrics.Add("tailmark_requests_without_rubric_total");
        return batch;
    }

    private static ItemResult Missed(UngradedKind kind, TimeSpan limit, RewardItem item) => ItemResult.NotGraded(kind,
        kind == UngradedKind.Stopping ? "not graded before the server stopped (its drain time ran out)" : $"not graded within the deadline of {limit.TotalMilliseconds:0} ms",
        item.Notes);

    private async Task<ItemResult> ItemAsync(RewardItem item, int index0, CancellationToken ct)
    {
        if (item.Problem is not null)
        {
            metrics.Add("tailmark_unreadable_items_total");
            return ItemResult.NotGraded(UngradedKind.Unreadable, item.Problem, item.Notes);
        }
        var (rubric, foundBy) = index.Lookup(item.PromptId, item.Prompt);
        if (rubric is null)
        {
            metrics.Add("tailmark_items_without_rubric_total");
            return ItemResult.NotGraded(UngradedKind.NoRubric, $"no rubric for {RubricIndex.Describe(item.PromptId, item.Prompt)}", item.Notes);
        }
        try
        {
            var graded = await SharedGradingAsync(rubric, item, index0, ct).ConfigureAwait(false);
            Monitor.Record(rubric.PromptId ?? rubric.Id, item.Step, graded, item.Response.Length);
            return graded.Result.Reward is null
                ? new ItemResult(graded, UngradedKind.Undefined, UndefinedReason(graded.Result), foundBy, item.Notes)
                : new ItemResult(graded, null, null, foundBy, item.Notes);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            metrics.Add("tailmark_grading_failures_total");
            return ItemResult.NotGraded(UngradedKind.Failed, $"grading failed: {ex.GetBaseException().Message}", item.Notes, foundBy);
        }
    }

    /// <summary>Why a graded reward is null, from the pipeline's reward-level diagnostics (else the CannotAssess reasons).</summary>
    public static string UndefinedReason(RewardResult result)
    {
        var rewardLevel = result.Diagnostics.Where(d => d.CriterionId is null && d.Code != "injection_suspected").Select(d => d.Message).ToList();
        var reasons = rewardLevel.Count > 0 ? rewardLevel : [.. result.Diagnostics.Where(d => d.Code == "cannot_assess").Select(d => $"{d.CriterionId}: {d.Message}").Take(3)];
        return "the reward is undefined" + (reasons.Count > 0 ? ": " + string.Join("; ", reasons) : "");
    }

    private async Task<GradedResponse> SharedGradingAsync(Rubric rubric, RewardItem item, int index0, CancellationToken ct)
    {
        // Identical (rubric, response) pairs in flight share one grading: GRPO groups often repeat a response verbatim.
        var key = rubric.Id + "\u0001" + item.Response;
        while (true)
        {
            var mine = new Lazy<Task<GradedResponse>>(() => GradeAsync(key, rubric, item, index0, ct));
            var lazy = _inFlight.GetOrAdd(key, mine);
            if (!ReferenceEquals(lazy, mine)) metrics.Add("tailmark_coalesced_items_total");
            try
            {
                return await lazy.Value.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested && !ReferenceEquals(lazy, mine))
            {
                // The twin's request was shed before its grading started; grade this one ourselves.
            }
        }
    }

    private async Task<GradedResponse> GradeAsync(string key, Rubric rubric, RewardItem item, int index0, CancellationToken ct)
    {
        try
        {
            // A slot is awaited under the creating request's token: an item not started by its deadline is shed.
            using var slot = await _slots.AcquireAsync(1, ct).ConfigureAwait(false);
            var conversation = JudgePrompts.Conversation(rubric.Prompt ?? item.Prompt);
            var row = new ResponseRow(rubric.PromptId ?? rubric.Id, $"item-{index0}", item.Response, null, JsonMaps.Empty);
            // Once started, the grading is not tied to the request: it finishes and fills the cache, so a retry is fast.
            var graded = await grader.GradeAsync(rubric, conversation, row, CancellationToken.None).ConfigureAwait(false);
            metrics.Add("tailmark_judge_calls_total", graded.JudgeCalls);
            metrics.Add("tailmark_cache_hits_total", graded.CacheHits);
            foreach (var v in graded.Row.Verdicts.Values) metrics.Add(VerdictCounter[(int)v.Status]);
            if (graded.Result.Breakdown.VetoedBy is not null) metrics.Add("tailmark_veto_total");
            if (graded.Result.Diagnostics.Any(d => d.Code == "injection_suspected")) metrics.Add("tailmark_injection_suspected_total");
            return graded;
        }
        finally
        {
            _inFlight.TryRemove(key, out _);
        }
    }
}
