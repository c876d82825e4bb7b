using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using System.Threading.RateLimiting;
using Tailmark.Judging;
using Tailmark.Llm;

namespace Tailmark.Grading;

/// <summary>
/// The one grading walk every front calls (<c>grade</c>, <c>serve</c>, <c>eval</c>, <c>select</c>, <c>refine</c>,
/// <c>inspect</c>, the demo, the experiment): items graded by a <see cref="ResponseGrader"/>, at most
/// <see cref="BatchGraderOptions.Concurrency"/> at once over every batch it runs (slots taken in arrival order, so a
/// large batch and a small one take turns), outcomes in input order, each outcome reported as it finishes, cancellation
/// honoured. One item's failure is that item's error, never the batch's — except an endpoint that cannot serve a batch
/// job at all (<see cref="EndpointUnusableException"/>), which stops a streamed batch as it stops the command.
/// </summary>
public sealed class BatchGrader : IDisposable
{
    private readonly ResponseGrader _grader;
    private readonly BatchGraderOptions _options;
    private readonly ConcurrencyLimiter _slots;
    private readonly ConcurrentDictionary<GradeKey, Lazy<Task<GradedResponse>>> _inFlight = new();

    public BatchGrader(ResponseGrader grader, BatchGraderOptions? options = null)
    {
        _grader = grader;
        _options = (options ?? new BatchGraderOptions()).Validated();
        _slots = new ConcurrencyLimiter(new ConcurrencyLimiterOptions
        {
            PermitLimit = _options.Concurrency,
            QueueLimit = int.MaxValue,
            QueueProcessingOrder = QueueProcessingOrder.OldestFirst,
        });
    }

    public ResponseGrader Grader => _grader;

    public GradingMetrics Metrics { get; } = new();

    /// <summary>Items being graded now, over every batch.</summary>
    public int Grading => _options.Concurrency - (int)(_slots.GetStatistics()?.CurrentAvailablePermits ?? _options.Concurrency);

    /// <summary>
    /// Grades ITEMS as they come, yielding their outcomes in input order. At most the concurrency are graded at once and
    /// at most as many finished ones wait for an earlier item, so memory stays bounded however long the input.
    /// </summary>
    public async IAsyncEnumerable<GradeOutcome> GradeAsync(IAsyncEnumerable<GradeItem> items, IProgress<GradeOutcome>? progress = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var window = Channel.CreateBounded<Task<GradeOutcome>>(new BoundedChannelOptions(_options.Concurrency) { SingleReader = true, SingleWriter = true });
        // Every grading started and not yet known to be finished (at most the concurrency plus the window): awaited
        // before the batch returns, so a caller that disposes the verdict cache or the clients after an early stop
        // never pulls them from under a grading still running.
        var started = new List<Task<GradeOutcome>>();
        var producer = Task.Run(async () =>
        {
            try
            {
                await foreach (var item in items.WithCancellation(stop.Token).ConfigureAwait(false))
                {
                    var slot = await AcquireAsync(stop.Token).ConfigureAwait(false);
                    // Run apart from the reader: a response's checks are CPU work that must not hold up the next item.
                    var task = Task.Run(() => OneAsync(item, slot, progress, stop.Token), CancellationToken.None);
                    started.RemoveAll(t => t.IsCompleted);
                    started.Add(task);
                    await window.Writer.WriteAsync(task, stop.Token).ConfigureAwait(false);
                }
                window.Writer.Complete();
            }
            catch (Exception ex)
            {
                window.Writer.Complete(ex);
            }
        }, CancellationToken.None);
        try
        {
            await foreach (var task in window.Reader.ReadAllAsync(cancellationToken).ConfigureAwait(false))
            {
                yield return await task.ConfigureAwait(false);
            }
        }
        finally
        {
            // Stopped early (an error, the caller's break, cancellation): nothing more starts; what was started ends first.
            await stop.CancelAsync().ConfigureAwait(false);
            try
            {
                await producer.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                // the producer stopped with the batch
            }
            // The producer is done, so the list is ours; the gradings end quickly once cancelled, and their outcomes
            // (or faults) no longer matter to anyone.
            try
            {
                await Task.WhenAll(started).ConfigureAwait(false);
            }
            catch (Exception)
            {
                // cancelled or failed after the batch stopped: nobody reads it
            }
        }
    }

    /// <summary>Grades a list, outcomes in its order.</summary>
    public async Task<IReadOnlyList<GradeOutcome>> GradeAllAsync(IEnumerable<GradeItem> items, IProgress<GradeOutcome>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var outcomes = new List<GradeOutcome>();
        await foreach (var o in GradeAsync(items.ToAsyncEnumerable(), progress, cancellationToken).ConfigureAwait(false)) outcomes.Add(o);
        return outcomes;
    }

    /// <summary>
    /// Grades a batch that must be answered within DEADLINE (the reward server's request): at DEADLINE, or when STOP is
    /// cancelled, the outcomes so far are returned — null for an item not finished. Items not yet started then never
    /// start; items being graded finish in the background (still bounded by the slots) and fill the verdict cache, so a
    /// retry is fast. A null item is skipped (its caller answers it). Every failure is that item's error.
    /// </summary>
    public async Task<BatchWithin> GradeWithinAsync(IReadOnlyList<GradeItem?> items, TimeSpan deadline, CancellationToken stop,
        CancellationToken cancellationToken)
    {
        var outcomes = new GradeOutcome?[items.Count];
        using var shed = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        var work = Parallel.ForEachAsync(Enumerable.Range(0, items.Count),
            // A request queues at most as many items as there are slots, so a large request and a small one take turns.
            new ParallelOptions { MaxDegreeOfParallelism = Math.Min(_options.Concurrency, Math.Max(1, items.Count)), CancellationToken = shed.Token },
            async (i, token) =>
            {
                if (items[i] is not { } item) return;
                var outcome = await SharedAsync(item, token).ConfigureAwait(false);
                Volatile.Write(ref outcomes[i], outcome);
            });
        var ending = BatchEnd.Finished;
        try
        {
            // WaitAsync drops its timer as soon as the batch is done; a delay per request would keep one alive for the
            // whole deadline (two minutes by default) — hundreds of thousands of timers under load.
            await work.WaitAsync(deadline, _options.Time, stop).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            ending = BatchEnd.Deadline;
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested && !cancellationToken.IsCancellationRequested)
        {
            ending = BatchEnd.Stopped;
        }
        finally
        {
            // Nothing more starts for this batch; what is being graded finishes and fills the cache.
            await shed.CancelAsync().ConfigureAwait(false);
        }
        cancellationToken.ThrowIfCancellationRequested();
        var answered = new GradeOutcome?[items.Count];
        for (var i = 0; i < answered.Length; i++) answered[i] = Volatile.Read(ref outcomes[i]);
        return new BatchWithin(answered, ending);
    }

    private async Task<GradeOutcome> SharedAsync(GradeItem item, CancellationToken ct)
    {
        try
        {
            return new GradeOutcome(item, await (_options.Coalesce ? CoalescedAsync(item, ct) : SlotThenGradeAsync(item, ct)).ConfigureAwait(false), null);
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            Metrics.Failed();
            return Failed(item, ex);
        }
    }

    private async Task<GradedResponse> CoalescedAsync(GradeItem item, CancellationToken ct)
    {
        var key = new GradeKey(item.Rubric, item.Conversation, item.Response.Response);
        while (true)
        {
            var mine = new Lazy<Task<GradedResponse>>(() => SlotThenGradeAsync(item, ct, key));
            var lazy = _inFlight.GetOrAdd(key, mine);
            if (!ReferenceEquals(lazy, mine)) Metrics.Coalesced();
            try
            {
                return await lazy.Value.WaitAsync(ct).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested && !ReferenceEquals(lazy, mine))
            {
                // The twin's batch was shed before its grading started; grade this one ourselves.
            }
        }
    }

    // A slot is awaited under the batch's token (an item not started by its deadline is shed); once started, the grading
    // is not tied to the batch: it finishes and fills the verdict cache.
    private async Task<GradedResponse> SlotThenGradeAsync(GradeItem item, CancellationToken ct, GradeKey? key = null)
    {
        try
        {
            using var slot = await AcquireAsync(ct).ConfigureAwait(false);
            var graded = await _grader.GradeAsync(item.Rubric, item.Conversation, item.Response, CancellationToken.None).ConfigureAwait(false);
            Metrics.Graded(graded);
            return graded;
        }
        finally
        {
            if (key is { } k) _inFlight.TryRemove(k, out _);
        }
    }

    private async Task<RateLimitLease> AcquireAsync(CancellationToken ct)
    {
        var lease = await _slots.AcquireAsync(1, ct).ConfigureAwait(false);
        if (lease.IsAcquired) return lease;
        lease.Dispose();
        throw new InvalidOperationException("no grading slot could be had"); // the queue is unbounded: cannot happen
    }

    private async Task<GradeOutcome> OneAsync(GradeItem item, RateLimitLease slot, IProgress<GradeOutcome>? progress, CancellationToken ct)
    {
        GradeOutcome outcome;
        using (slot)
        {
            try
            {
                var graded = await _grader.GradeAsync(item.Rubric, item.Conversation, item.Response, ct).ConfigureAwait(false);
                Metrics.Graded(graded);
                outcome = new GradeOutcome(item, graded, null);
            }
            catch (Exception ex) when (!Stops(ex, ct))
            {
                Metrics.Failed();
                outcome = Failed(item, ex);
            }
        }
        progress?.Report(outcome);
        return outcome;
    }

    // What ends a streamed batch rather than an item: cancellation, and an endpoint that cannot serve a batch job.
    private static bool Stops(Exception ex, CancellationToken ct) =>
        ex is OperationCanceledException && ct.IsCancellationRequested || ex is EndpointUnusableException;

    private static GradeOutcome Failed(GradeItem item, Exception ex) => new(item, null, $"grading failed: {ex.GetBaseException().Message}");

    public void Dispose()
    {
        _slots.Dispose();
        Metrics.Dispose();
    }

    /// <summary>Identical work: the same composed rubric object, conversation and response.</summary>
    private readonly record struct GradeKey(Rubrics.Rubric Rubric, string Conversation, string Response)
    {
        public bool Equals(GradeKey other) =>
            ReferenceEquals(Rubric, other.Rubric) && string.Equals(Conversation, other.Conversation, StringComparison.Ordinal) &&
            string.Equals(Response, other.Response, StringComparison.Ordinal);

        public override int GetHashCode() => HashCode.Combine(RuntimeHelpers.GetHashCode(Rubric), Response);
    }
}
