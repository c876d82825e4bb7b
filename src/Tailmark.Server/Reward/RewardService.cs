using System.Collections.Concurrent;
using Tailmark.Io;
using Tailmark.Judging;
using Tailmark.Llm;
using Tailmark.Rubrics;
using Tailmark.Scoring;

namespace Tailmark.Server.Reward;

/// <summary>
/// Rewards a batch of items: finds each item's rubric, grades it (checks, judge, scoring), and answers in item
/// order. Identical items in flight at the same time — same rubric, same response — share one grading. Items not
/// finished by the deadline are answered as not graded and flagged; an item whose prompt has no rubric gets an
/// error (or the configured fallback reward, flagged); one bad item never fails the batch.
/// </summary>
public sealed class RewardService(RubricIndex index, ResponseGrader grader, RewardServerOptions options, RewardMetrics metrics, RewardMonitor? monitor = null)
{
    public RewardMonitor Monitor { get; } = monitor ?? new RewardMonitor();

    private readonly ConcurrentDictionary<string, Lazy<Task<GradedResponse>>> _inFlight = new(StringComparer.Ordinal);

    public RubricIndex Index => index;

    public Usage JudgeUsage() => grader.JudgeUsage();

    // One counter name per status, built once: this runs for every verdict served.
    private static readonly string[] VerdictCounter = [.. Enum.GetValues<VerdictStatus>().Select(s => $"tailmark_verdicts_total{{status=\"{Verdict.StatusName(s)}\"}}")];

    public async Task<IReadOnlyList<ItemResult>> RewardAsync(IReadOnlyList<RewardItem> items, TimeSpan? deadline, CancellationToken cancellationToken)
    {
        metrics.Add("tailmark_items_total", items.Count);
        var tasks = items.Select((item, i) => ItemAsync(item, i, cancellationToken)).ToArray();
        var all = Task.WhenAll(tasks);
        var limit = deadline ?? options.Deadline;
        try
        {
            // WaitAsync drops its timer as soon as the batch is done; a Task.Delay per request would keep one alive
            // for the whole deadline (two minutes by default) — hundreds of thousands of timers under load.
            await all.WaitAsync(limit, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            metrics.Add("tailmark_deadline_exceeded_total");
        }
        catch (Exception) when (all.IsFaulted)
        {
            // An item that failed outright is answered with its error below; one bad item never fails the batch.
        }
        return [.. tasks.Select(t => t.IsCompletedSuccessfully ? t.Result
            : t.IsFaulted ? new ItemResult(null, $"grading failed: {t.Exception!.GetBaseException().Message}", null, false)
            : new ItemResult(null, $"not graded within the deadline of {limit.TotalMilliseconds:0} ms", null, true))];
    }

    private async Task<ItemResult> ItemAsync(RewardItem item, int index0, CancellationToken ct)
    {
        var rubric = index.Find(item.PromptId, item.Prompt);
        if (rubric is null)
        {
            metrics.Add("tailmark_items_without_rubric_total");
            var what = item.PromptId is not null ? $"prompt id \"{item.PromptId}\"" : item.Prompt is not null ? $"prompt hash {PromptKey.Hash(item.Prompt)}" : "an item with neither prompt_id nor prompt";
            return options.FallbackReward is { } fallback
                ? new ItemResult(null, $"no rubric for {what}; fallback reward used", fallback, false)
                : new ItemResult(null, $"no rubric for {what}", null, false);
        }
        // Identical (rubric, response) pairs in flight share one grading: GRPO groups often repeat a response verbatim.
        var key = rubric.Id + "\u0001" + item.Response;
        var mine = new Lazy<Task<GradedResponse>>(() => GradeAsync(key, rubric, item, index0));
        var lazy = _inFlight.GetOrAdd(key, mine);
        if (!ReferenceEquals(lazy, mine)) metrics.Add("tailmark_coalesced_items_total");
        var graded = await lazy.Value.WaitAsync(ct).ConfigureAwait(false);
        Monitor.Record(rubric.PromptId ?? rubric.Id, item.Step, graded, item.Response.Length);
        return new ItemResult(graded, null, null, false);
    }

    private async Task<GradedResponse> GradeAsync(string key, Rubric rubric, RewardItem item, int index0)
    {
        try
        {
            var conversation = JudgePrompts.Conversation(rubric.Prompt ?? item.Prompt);
            var row = new ResponseRow(rubric.PromptId ?? rubric.Id, $"item-{index0}", item.Response, null, JsonMaps.Empty);
            // The grading is not tied to one request: a coalesced twin or a request that missed its deadline still gets the cache filled.
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
