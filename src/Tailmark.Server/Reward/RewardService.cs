using Tailmark.Grading;
using Tailmark.Io;
using Tailmark.Judging;
using Tailmark.Llm;
using Tailmark.Monitoring;
using Tailmark.Rubrics;
using Tailmark.Scoring;
using Tailmark.Server.Reward.Text;

namespace Tailmark.Server.Reward;

/// <summary>
/// Rewards a batch of items through the grading walk: finds each item's instance rubric (<see cref="RubricIndex"/>),
/// has the <see cref="RubricSet"/> layer it for the item's task and tags, and grades the batch with the
/// <see cref="BatchGrader"/> (identical items in flight share one grading; its slots are shared by all requests, so a
/// large request and a small one take turns). At the deadline the request is answered: finished items with their
/// rewards, the rest flagged; items not yet started are shed, items being graded finish in the background and fill the
/// verdict cache. One bad item never fails the batch.
/// </summary>
public sealed class RewardService
{
    private readonly RubricIndex _index;
    private readonly BatchGrader _batch;
    private readonly RewardMetrics _metrics;
    private readonly CancellationTokenSource _stop = new();
    private ITimer? _drain;

    public RewardService(RubricIndex index, BatchGrader batch, RewardServerOptions options, RewardMetrics metrics, RewardMonitor? monitor = null,
        TimeProvider? time = null)
    {
        _index = index;
        _batch = batch;
        _metrics = metrics;
        Options = options;
        Time = time ?? TimeProvider.System;
        Monitor = monitor ?? new RewardMonitor(Time);
        Cleaner = new ResponseCleaner(options.EndTokens, options.KeepReasoning);
    }

    public RewardMonitor Monitor { get; }

    /// <summary>The reference-judge audit, when <c>--audit-judge</c> is given: sampled rollouts graded again in the background.</summary>
    public RewardAudit? Audit { get; init; }

    /// <summary>Online tail refinement, when <c>--refine-online</c> is given: it chooses each item's rubric version and watches the best rollouts.</summary>
    public Building.Online.OnlineRefiner? Online { get; init; }

    /// <summary>The judge model and the scoring preset every reward's provenance names.</summary>
    public string JudgeName { get; init; } = "unknown";

    public string ScoringName { get; init; } = "default";

    /// <summary>The verdict cache the walk's judge uses, when there is one: its store's health and leases go to /metrics and /health.</summary>
    public Storage.VerdictCache? Cache { get; init; }

    /// <summary>The clock of deadlines, the drain, the latency histogram and the monitor's windows.</summary>
    public TimeProvider Time { get; }

    public RubricIndex Index => _index;

    /// <summary>An instance rubric by id at its active version, with the layers a prompt that names no task or tags gets.</summary>
    public Rubric? ActiveRubric(string rubricId) =>
        _index.Rubrics.ById(rubricId) is { Level: RubricLevel.Instance } r ? _index.Rubrics.Compose(Online?.Current(r) ?? r).Rubric : null;

    public BatchGrader Batch => _batch;

    /// <summary>The clean-up every protocol applies to responses (end tokens, reasoning).</summary>
    public ResponseCleaner Cleaner { get; }

    public RewardServerOptions Options { get; }

    public NoRubricWatch NoRubric { get; } = new();

    public Usage JudgeUsage() => _batch.Grader.JudgeUsage();

    /// <summary>Items being graded now, over all requests.</summary>
    public int Grading => _batch.Grading;

    /// <summary>Cancelled when the drain time after a stop has run out: waiting requests answer with what they have.</summary>
    public CancellationToken Stopped => _stop.Token;

    /// <summary>Starts the drain: requests in flight get <paramref name="drain"/> to finish, then are answered as they stand.</summary>
    public void BeginStop(TimeSpan drain) => _drain ??= Time.CreateTimer(_ => _stop.Cancel(), null, drain, Timeout.InfiniteTimeSpan);

    public async Task<RewardBatch> RewardAsync(IReadOnlyList<RewardItem> items, TimeSpan? deadline, CancellationToken cancellationToken)
    {
        _metrics.Items.Add(items.Count);
        var limit = deadline ?? Options.Deadline;
        // Items answered without grading (unreadable, no rubric) are answered here; the rest go to the walk.
        var answered = new ItemResult?[items.Count];
        var toGrade = new GradeItem?[items.Count];
        for (var i = 0; i < items.Count; i++) (answered[i], toGrade[i]) = Prepare(items[i], i);
        var graded = await _batch.GradeWithinAsync(toGrade, limit, _stop.Token, cancellationToken).ConfigureAwait(false);
        if (graded.Ending == BatchEnd.Deadline) _metrics.DeadlineExceeded.Add(1);
        var results = new ItemResult[items.Count];
        for (var i = 0; i < results.Length; i++)
        {
            results[i] = answered[i] ?? (graded.Outcomes[i] is { } outcome ? Answer(items[i], outcome)
                : Missed(graded.Ending == BatchEnd.Stopped ? UngradedKind.Stopping : UngradedKind.Deadline, limit, items[i]));
        }
        if (Online is { } online && Audit is { } audit && items.Count > 0)
        {
            // The alarm over the steps before this request's: the prompts of this request that the audit caught a suspected
            // hack on are refined with it (the request's own audits finish in the background and decide nothing yet).
            var before = items.Select(i => Monitor.KeyFor(i.Step)).Min(MonitorStepKey.Order);
            if (Monitor.SettledAuditAlarm(before).Firing)
            {
                foreach (var promptId in results.Where(r => r.Graded is not null).Select(r => r.Graded!.Row.PromptId).Distinct().Order(StringComparer.Ordinal))
                {
                    if (audit.PairFor(promptId, before) is { } pair) online.ConsiderPair(promptId, pair.Hack, pair.Good);
                }
            }
        }
        // After the answer is complete, in the request's order: the same rollouts trigger the same refinements however they
        // finished. The audit's pairs go first: a prompt being refined for its alarm is not refined for a tie as well.
        Online?.Consider(results.Where(r => r.Provenance is not null).Select(r => r.Provenance!.RubricId));
        var missedCount = results.Count(r => r.DeadlineExceeded);
        if (missedCount > 0) _metrics.ItemsDeadline.Add(missedCount);
        var batch = new RewardBatch(results);
        _metrics.Ungraded.Add(batch.Ungraded);
        NoRubric.Record(batch);
        if (batch.NothingFound) _metrics.RequestsWithoutRubric.Add(1);
        return batch;
    }

    // An item answered at once (unreadable, no rubric), or the walk's item, whose State is how its rubric was found.
    private (ItemResult? Answered, GradeItem? ToGrade) Prepare(RewardItem item, int index)
    {
        if (item.Problem is not null)
        {
            _metrics.UnreadableItems.Add(1);
            return (ItemResult.NotGraded(UngradedKind.Unreadable, item.Problem, item.Notes), null);
        }
        var (rubric, foundBy) = _index.Lookup(item.PromptId, item.Prompt);
        if (rubric is null)
        {
            _metrics.ItemsWithoutRubric.Add(1);
            return (ItemResult.NotGraded(UngradedKind.NoRubric, $"no rubric for {RubricIndex.Describe(item.PromptId, item.Prompt)}", item.Notes), null);
        }
        // The version active now scores this item entirely, whatever is swapped in while it is graded.
        var version = Online?.Current(rubric) ?? rubric;
        var composed = _index.Rubrics.Compose(version, item.Traits).Rubric;
        var row = new ResponseRow(rubric.PromptId ?? rubric.Id, $"item-{index}", item.Response, null, JsonMaps.Empty);
        return (null, new GradeItem(composed, JudgePrompts.Conversation(rubric.Prompt ?? item.Prompt), row) { State = new ItemState(foundBy!, version) });
    }

    private ItemResult Answer(RewardItem item, GradeOutcome outcome)
    {
        var state = (ItemState)outcome.Item.State!;
        if (outcome.Graded is not { } graded) return ItemResult.NotGraded(UngradedKind.Failed, outcome.Error!, item.Notes, state.FoundBy);
        var key = Monitor.KeyFor(item.Step);
        Monitor.Record(outcome.Item.Response.PromptId, key, graded, item.Response.Length);
        if (graded.Result.Reward is { } reward)
        {
            Audit?.Offer(outcome.Item, key, reward);
            Online?.Record(state.Instance, item.Response, item.Traits, reward);
        }
        var provenance = new RewardProvenance(state.Instance.Id, state.Instance.Version, JudgeName, JudgePrompts.Version, ScoringName);
        return graded.Result.Reward is null
            ? new ItemResult(graded, UngradedKind.Undefined, UndefinedReason(graded.Result), state.FoundBy, item.Notes) { Provenance = provenance }
            : new ItemResult(graded, null, null, state.FoundBy, item.Notes) { Provenance = provenance };
    }

    private static ItemResult Missed(UngradedKind kind, TimeSpan limit, RewardItem item) => ItemResult.NotGraded(kind,
        kind == UngradedKind.Stopping ? "not graded before the server stopped (its drain time ran out)"
            : $"not graded within the deadline of {limit.TotalMilliseconds:0} ms",
        item.Notes);

    /// <summary>Why a graded reward is null, from the pipeline's reward-level diagnostics (else the CannotAssess reasons).</summary>
    public static string UndefinedReason(RewardResult result)
    {
        var rewardLevel = result.Diagnostics.Where(d => d.CriterionId is null && d.Code != "injection_suspected").Select(d => d.Message).ToList();
        var reasons = rewardLevel.Count > 0 ? rewardLevel
            : [.. result.Diagnostics.Where(d => d.Code == "cannot_assess").Select(d => $"{d.CriterionId}: {d.Message}").Take(3)];
        return "the reward is undefined" + (reasons.Count > 0 ? ": " + string.Join("; ", reasons) : "");
    }
}
