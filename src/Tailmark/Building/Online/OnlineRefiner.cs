using System.Collections.Concurrent;
using Tailmark.Grading;
using Tailmark.Judging;
using Tailmark.Rubrics;

namespace Tailmark.Building.Online;

/// <summary>
/// Online tail refinement (<c>serve --refine-online</c>): the reward server records every graded rollout here; per
/// prompt this keeps the best distinct rollouts under the prompt's active rubric version and the recent ones. When the
/// best two stop being told apart (same reward: <c>tie</c>, or both at the top of the scale: <c>saturated</c>), and the
/// prompt's cooldown and the run's budget allow, it asks the proposer to refine the active version with the most
/// different pair among the tied best (<see cref="MostDifferentOfTheTop"/>)
/// (Refinement-through-Differentiation, as <see cref="RubricRefiner"/> offline), checks the result
/// (<see cref="RefinementCheck"/>), writes it to the <see cref="RubricVersionLog"/> and swaps it in. A swap replaces one
/// reference: an item takes the version active when it arrives and is scored by it alone. Triggers are looked at
/// after a request is answered, over the rollouts in the order the request gave them, so a run replays the same way.
/// </summary>
public sealed class OnlineRefiner : IAsyncDisposable
{
    private const int ClipForHistory = 2000;

    /// <summary>The trigger of a refinement asked with the audit's pair (<see cref="ConsiderPair"/>).</summary>
    public const string AuditTrigger = "audit_alarm";

    private readonly BatchGrader _grading;
    private readonly ProposerClient _proposer;
    private readonly RubricSet _rubrics;
    private readonly OnlineRefineOptions _options;
    private readonly RubricVersionLog _log;
    private readonly TimeProvider _time;
    private readonly Dictionary<string, PromptTail> _tails = new(StringComparer.Ordinal);
    private readonly Dictionary<string, PromptTail> _byPromptId = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _parallel;
    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private readonly CancellationTokenSource _stop = new();
    private readonly List<RubricVersionEvent> _events = [];
    private readonly List<string> _warnings = [];
    private readonly Lock _tracking = new();
    private int _tracked;
    private long _clock;
    private int _budgetLeft;
    private long _accepted, _rejected;

    public OnlineRefiner(BatchGrader grading, ProposerClient proposer, RubricSet rubrics, OnlineRefineOptions options, RubricVersionLog log,
        TimeProvider? time = null)
    {
        _grading = grading;
        _proposer = proposer;
        _rubrics = rubrics;
        _options = options.Validated();
        _log = log;
        _time = time ?? TimeProvider.System;
        _parallel = new SemaphoreSlim(_options.Parallel);
        _budgetLeft = _options.Budget;
        foreach (var r in rubrics.Instances)
        {
            var tail = new PromptTail(r, RubricVersionLog.Digest(r));
            if (_tails.TryAdd(r.Id, tail)) _byPromptId.TryAdd(r.PromptId ?? r.Id, tail);
        }
        Replay(log);
    }

    /// <summary>What loading the log set aside (versions over a base that changed, unknown rubrics, damaged lines).</summary>
    public IReadOnlyList<string> Warnings => _warnings;

    /// <summary>Refinements running now, accepted and rejected so far, and attempts left in the budget.</summary>
    public (int Running, long Accepted, long Rejected, int BudgetLeft) Counts =>
        (_running.Count, Interlocked.Read(ref _accepted), Interlocked.Read(ref _rejected), Volatile.Read(ref _budgetLeft));

    /// <summary>The events of this run (not those replayed from the log), oldest first.</summary>
    public IReadOnlyList<RubricVersionEvent> Events()
    {
        lock (_events) return [.. _events];
    }

    /// <summary>Each rubric with online history and its active version, by id.</summary>
    public IReadOnlyList<(string RubricId, int Version)> ActiveVersions()
    {
        var list = new List<(string, int)>();
        foreach (var (id, tail) in _tails.OrderBy(t => t.Key, StringComparer.Ordinal))
        {
            lock (tail)
            {
                if (tail.Events.Count > 0) list.Add((id, tail.Active.Version));
            }
        }
        return list;
    }

    /// <summary>The active version of an instance rubric (the rubric itself when it has no online versions).</summary>
    public Rubric Current(Rubric instance) => _tails.TryGetValue(instance.Id, out var t) ? t.Active : instance;

    /// <summary>Records a graded rollout of <paramref name="graded"/> (an instance rubric at the version it was scored with).</summary>
    public void Record(Rubric graded, string response, PromptTraits traits, double reward)
    {
        if (!_tails.TryGetValue(graded.Id, out var tail)) return;
        var newlyTracked = false;
        try
        {
            lock (tail)
            {
                tail.LastSeen = Interlocked.Increment(ref _clock);
                newlyTracked = !tail.Tracked;
                tail.Tracked = true;
                Keep(tail, graded, response, traits, reward);
            }
        }
        finally
        {
            if (newlyTracked) Track();
        }
    }

    // Bounded memory over prompts: past the limit, the least recently graded prompt's rollouts are forgotten. Taken
    // after the recording prompt's lock is released, so locks are only ever nested tracking → prompt.
    private void Track()
    {
        lock (_tracking)
        {
            if (++_tracked <= _options.MaxTrackedPrompts) return;
            var victim = _tails.Values.Where(t => t.Tracked && !t.Running).MinBy(t => t.LastSeen);
            if (victim is null) return;
            lock (victim)
            {
                victim.Best.Clear();
                victim.Recent.Clear();
                victim.Tracked = false;
            }
            _tracked--;
        }
    }

    // Called under the prompt's lock.
    private void Keep(PromptTail tail, Rubric graded, string response, PromptTraits traits, double reward)
    {
        tail.SinceChange++;
        if (graded.Version != tail.Active.Version) return; // scored by a version swapped out since: not comparable
        var kept = new KeptRollout(response, traits, reward);
        tail.Recent.RemoveAll(r => r.Text == response);
        tail.Recent.Add(kept);
        if (tail.Recent.Count > _options.RecentKept) tail.Recent.RemoveAt(0);
        if (tail.Best.Any(r => r.Text == response)) return;
        tail.Best.Add(kept);
        // Highest reward first; equal rewards by text, so the order does not depend on arrival.
        tail.Best.Sort((x, y) => y.Reward != x.Reward ? y.Reward.CompareTo(x.Reward) : string.CompareOrdinal(x.Text, y.Text));
    }


    /// <summary>Starts a refinement for each of these rubrics whose best rollouts are no longer told apart (cooldown and budget permitting).</summary>
    public void Consider(IEnumerable<string> rubricIds)
    {
        foreach (var id in rubricIds.Distinct(StringComparer.Ordinal).Order(StringComparer.Ordinal))
        {
            if (!_tails.TryGetValue(id, out var tail)) continue;
            KeptRollout a, b;
            Rubric active;
            string trigger;
            lock (tail)
            {
                if (tail.Running || tail.SinceChange < tail.Cooldown(_options) || tail.Best.Count < 2) continue;
                if (Math.Abs(tail.Best[0].Reward - tail.Best[1].Reward) > 1e-9) continue;
                (a, b) = MostDifferentOfTheTop(tail.Best);
                if (!TakeBudget()) continue;
                trigger = a.Reward >= 1 - 1e-9 ? "saturated" : "tie";
                tail.Running = true;
                active = tail.Active;
            }
            Start(tail, active, a, b, trigger);
        }
    }

    /// <summary>
    /// Starts a refinement of the prompt's rubric with a pair the reference-judge audit found while its alarm fires: a
    /// suspected hack (high training reward, low reference reward) and a good rollout. Trigger <c>audit_alarm</c>; the
    /// cooldown and the budget apply as to ties, and the new version must widen the good rollout's lead.
    /// </summary>
    public bool ConsiderPair(string promptId, string hack, string good)
    {
        if (!_byPromptId.TryGetValue(promptId, out var tail) || hack == good) return false;
        Rubric active;
        lock (tail)
        {
            if (tail.Running || tail.SinceChange < tail.Cooldown(_options) || !TakeBudget()) return false;
            tail.Running = true;
            active = tail.Active;
        }
        Start(tail, active, new KeptRollout(hack, PromptTraits.None, 0), new KeptRollout(good, PromptTraits.None, 0),
            AuditTrigger);
        return true;
    }

    private bool TakeBudget()
    {
        if (Interlocked.Decrement(ref _budgetLeft) >= 0) return true;
        Interlocked.Increment(ref _budgetLeft);
        return false;
    }

    private void Start(PromptTail tail, Rubric active, KeptRollout a, KeptRollout b, string trigger)
    {
        var run = Task.Run(async () =>
        {
            try
            {
                await RefineAsync(tail, active, a, b, trigger).ConfigureAwait(false);
            }
            finally
            {
                lock (tail) tail.Running = false; // also when stopping cut it short
            }
        });
        _running.TryAdd(run, 0);
        _ = run.ContinueWith(t => _running.TryRemove(t, out _), TaskScheduler.Default);
    }

    /// <summary>
    /// Of the best rollouts that share the top reward, the two whose words differ most (Jaccard distance of their word
    /// sets; first in the kept order on ties). The top two alone are often near copies — a policy that found one way to
    /// the top repeats it — while the most different of the tied ones show what the rubric cannot see.
    /// </summary>
    public static (KeptRollout A, KeptRollout B) MostDifferentOfTheTop(IReadOnlyList<KeptRollout> best)
    {
        var top = best.TakeWhile(r => Math.Abs(r.Reward - best[0].Reward) <= 1e-9).ToList();
        var words = top.Select(r => r.Text.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries).ToHashSet(StringComparer.Ordinal)).ToList();
        var (bi, bj, bd) = (0, 1, -1.0);
        for (var i = 0; i < top.Count; i++)
        {
            for (var j = i + 1; j < top.Count; j++)
            {
                var union = words[i].Count + words[j].Count - words[i].Count(words[j].Contains);
                var distance = union == 0 ? 0 : 1 - (double)words[i].Count(words[j].Contains) / union;
                if (distance > bd + 1e-12) (bi, bj, bd) = (i, j, distance);
            }
        }
        return (top[bi], top[bj]);
    }

    /// <summary>Waits until no refinement is running (the experiment waits between steps; tests wait for a swap).</summary>
    public async Task WhenIdleAsync(CancellationToken cancellationToken = default)
    {
        while (!_running.IsEmpty)
        {
            await Task.WhenAll(_running.Keys).WaitAsync(cancellationToken).ConfigureAwait(false);
            await Task.Delay(1, cancellationToken).ConfigureAwait(false); // finished, but its removal may still be on its way
        }
    }

    private async Task RefineAsync(PromptTail tail, Rubric active, KeptRollout a, KeptRollout b, string trigger)
    {
        string? problem;
        Rubric? next = null;
        await _parallel.WaitAsync(_stop.Token).ConfigureAwait(false);
        try
        {
            var conversation = JudgePrompts.Conversation(active.Prompt);
            var (criteria, asked) = await _proposer.AskAsync(ProposerPrompts.RefineSystem, ProposerPrompts.Refine(conversation, active, a.Text, b.Text),
                _stop.Token).ConfigureAwait(false);
            problem = asked;
            if (criteria is { } proposed)
            {
                next = active with { Criteria = Carry(active, proposed), Version = tail.NextVersion() };
                List<KeptRollout> recent;
                lock (tail) recent = [.. tail.Recent];
                problem = SameCriteria(next, active) ? "the proposer returned the active version unchanged"
                    : await RefinementCheck.RunAsync(_grading, _rubrics, active, next, a, b, recent, _options, preferB: trigger == AuditTrigger,
                    _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !_stop.IsCancellationRequested)
        {
            problem = $"{ex.GetType().Name}: {ex.Message}";
        }
        finally
        {
            _parallel.Release();
        }
        lock (tail)
        {
            tail.Running = false;
            if (problem is null && tail.Active.Version != active.Version) problem = $"version {active.Version} was replaced while refining (a rollback)";
            RubricVersionEvent Event() => new(problem is null ? RubricVersionEvent.NewVersion : RubricVersionEvent.Rejected, active.Id,
                problem is null ? next!.Version : active.Version, active.Version, _time.GetUtcNow(), tail.BaseDigest)
            {
                Trigger = trigger,
                Reason = problem,
                ResponseA = Clip(a.Text),
                ResponseB = Clip(b.Text),
                Rubric = problem is null ? next : null,
            };
            var e = Event();
            try
            {
                // Written to the disk before it is used: a reward scored by a version always finds it in the history.
                _log.Append(e);
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                // Not written, so not used: the attempt counts as rejected, with why (a full disk is shown in /v1/refine).
                problem = $"the version could not be written to {_log.Path}: {ex.Message}";
                e = Event();
            }
            Note(tail, e);
            if (problem is null)
            {
                tail.Versions.Add(next!);
                Activate(tail, next!);
                tail.Rejections = 0;
                Interlocked.Increment(ref _accepted);
            }
            else
            {
                tail.SinceChange = 0; // the cooldown also follows a rejected attempt, and doubles with each one in a row
                tail.Rejections++;
                Interlocked.Increment(ref _rejected);
            }
        }
    }

    /// <summary>
    /// The proposal's criteria, plus every veto and check of the active version it left out (a proposer may not remove
    /// them). A proposed criterion whose text the active version has keeps that criterion's id; new ones get free ids.
    /// </summary>
    public static System.Collections.Immutable.ImmutableArray<Criterion> Carry(Rubric active, IEnumerable<Criterion> proposed)
    {
        var result = new List<Criterion>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        foreach (var c in active.Criteria.Where(RefinementCheck.Fixed))
        {
            result.Add(c);
            used.Add(c.Id);
        }
        var fresh = new List<Criterion>();
        foreach (var c in proposed)
        {
            if (result.Any(r => r.Text == c.Text && RefinementCheck.Fixed(r))) continue;
            if (active.Criteria.FirstOrDefault(x => x.Text == c.Text && !used.Contains(x.Id)) is { } same)
            {
                result.Add(c with { Id = same.Id });
                used.Add(same.Id);
            }
            else
            {
                fresh.Add(c);
            }
        }
        var n = 1;
        foreach (var c in fresh)
        {
            while (used.Contains($"c{n}") || active.Criteria.Any(x => x.Id == $"c{n}")) n++;
            result.Add(c with { Id = $"c{n}" });
            used.Add($"c{n}");
        }
        return [.. result];
    }

    // What the proposer can change: the texts and weights, in order (the rest of a criterion is carried or defaulted).
    private static bool SameCriteria(Rubric a, Rubric b) =>
        a.Criteria.Select(c => (c.Text, c.Weight)).SequenceEqual(b.Criteria.Select(c => (c.Text, c.Weight)));

    /// <summary>The versions of a rubric (the file's first), the active one, and every event of its history.</summary>
    public (IReadOnlyList<Rubric> Versions, int Active, IReadOnlyList<RubricVersionEvent> Events)? History(string rubricId)
    {
        if (!_tails.TryGetValue(rubricId, out var tail)) return null;
        lock (tail) return ([.. tail.Versions], tail.Active.Version, [.. tail.Events]);
    }

    /// <summary>Makes <paramref name="toVersion"/> (by default the version the active one came from) active again; its cooldown starts over.</summary>
    /// <exception cref="KeyNotFoundException">No such rubric.</exception>
    /// <exception cref="ArgumentException">No such version, or nothing to roll back to.</exception>
    public RubricVersionEvent Rollback(string rubricId, int? toVersion, string? reason = null)
    {
        if (!_tails.TryGetValue(rubricId, out var tail)) throw new KeyNotFoundException($"no rubric with id \"{rubricId}\"");
        lock (tail)
        {
            var active = tail.Active.Version;
            var target = toVersion ?? tail.Events.LastOrDefault(e => e.Kind == RubricVersionEvent.NewVersion && e.Version == active)?.From
                ?? throw new ArgumentException($"rubric \"{rubricId}\" is at version {active}, the one it was loaded with: nothing to roll back to");
            if (target == active) throw new ArgumentException($"rubric \"{rubricId}\" is already at version {active}");
            var rubric = tail.Versions.FirstOrDefault(v => v.Version == target)
                ?? throw new ArgumentException(
                    $"rubric \"{rubricId}\" has no version {target} (it has {string.Join(", ", tail.Versions.Select(v => v.Version))})");
            var e = new RubricVersionEvent(RubricVersionEvent.RolledBack, rubricId, target, active, _time.GetUtcNow(), tail.BaseDigest) { Reason = reason };
            _log.Append(e);
            Note(tail, e);
            Activate(tail, rubric);
            return e;
        }
    }

    private void Note(PromptTail tail, RubricVersionEvent e)
    {
        tail.Events.Add(e);
        lock (_events) _events.Add(e);
    }

    private static void Activate(PromptTail tail, Rubric rubric)
    {
        tail.Active = rubric;
        tail.Best.Clear();
        tail.SinceChange = 0;
        tail.Rejections = 0;
    }

    // The log's events for rubrics of this run over the same base; the rest is set aside, with a warning each.
    private void Replay(RubricVersionLog log)
    {
        _warnings.AddRange(log.Problems);
        var setAside = new HashSet<string>(StringComparer.Ordinal);
        foreach (var e in log.Events)
        {
            if (!_tails.TryGetValue(e.RubricId, out var tail))
            {
                if (setAside.Add(e.RubricId)) _warnings.Add($"{log.Path}: rubric \"{e.RubricId}\" has online versions but is not in the rubrics served");
                continue;
            }
            if (e.BaseDigest != tail.BaseDigest)
            {
                if (setAside.Add(e.RubricId))
                {
                    _warnings.Add(
                        $"{log.Path}: rubric \"{e.RubricId}\" changed in the rubrics file since its online versions were written; they are set aside");
                }
                continue;
            }
            tail.Events.Add(e);
            if (e.Kind == RubricVersionEvent.NewVersion && e.Rubric is { } r)
            {
                tail.Versions.RemoveAll(v => v.Version == r.Version);
                tail.Versions.Add(r);
                tail.Active = r;
            }
            else if (e.Kind == RubricVersionEvent.RolledBack && tail.Versions.FirstOrDefault(v => v.Version == e.Version) is { } back)
            {
                tail.Active = back;
            }
        }
    }

    private static string Clip(string text) => text.Length <= ClipForHistory ? text : text[..ClipForHistory] + "…";

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_running.Keys).ConfigureAwait(false);
        }
        catch (Exception)
        {
            // stopping: an attempt cut short is not written
        }
        _stop.Dispose();
        _parallel.Dispose();
    }

    /// <summary>One prompt's state; guarded by locking the instance.</summary>
    private sealed class PromptTail(Rubric first, string baseDigest)
    {
        public string BaseDigest { get; } = baseDigest;
        public Rubric Active { get; set; } = first;
        public List<Rubric> Versions { get; } = [first];
        public List<RubricVersionEvent> Events { get; } = [];
        public List<KeptRollout> Best { get; } = [];
        public List<KeptRollout> Recent { get; } = [];
        public int SinceChange { get; set; }
        public bool Running { get; set; }

        /// <summary>Whether its rollouts are kept (see <see cref="OnlineRefineOptions.MaxTrackedPrompts"/>), and when it was last graded.</summary>
        public bool Tracked { get; set; }

        public long LastSeen { get; set; }

        /// <summary>Attempts rejected in a row since the last accepted version (or rollback).</summary>
        public int Rejections { get; set; }

        /// <summary>
        /// The cooldown now: the configured one, doubled for each rejected attempt in a row (at most 64 times), so a prompt
        /// the proposer cannot improve does not spend the run's budget.
        /// </summary>
        public long Cooldown(OnlineRefineOptions options) => (long)options.Cooldown << Math.Min(Rejections, 6);

        public int NextVersion()
        {
            lock (this) return Versions.Max(v => v.Version) + 1;
        }
    }
}
