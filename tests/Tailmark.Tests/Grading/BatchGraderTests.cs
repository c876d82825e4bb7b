using System.Collections.Concurrent;
using Microsoft.Extensions.AI;
using Microsoft.Extensions.Time.Testing;
using Tailmark.Grading;
using Tailmark.Io;
using Tailmark.Judging;
using Tailmark.Llm;
using Tailmark.Rubrics;
using Tailmark.Sim;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Grading;

/// <summary>
/// The grading walk on an in-memory judge (the simulated world's judge in process): order, the bound on concurrency,
/// progress, per-item errors, what stops a batch, cancellation, deadlines on a fake clock, and coalescing.
/// </summary>
[Trait("Tier", "Fast")]
public sealed class BatchGraderTests
{
    private static readonly SimWorld World = new(21, 3);

    private static List<GradeItem> Items(int perTask)
    {
        var set = new RubricSet(World.Tasks.Select(SimFixtures.RubricFor));
        return [.. SimFixtures.Responses(World, perTask).Select(r => set.ItemFor(r)!)];
    }

    private static BatchGrader Walk(InMemoryJudge judge, int concurrency, TimeProvider? time = null, bool coalesce = false) =>
        Support.Walk.Over(judge.Client(),
            options: new BatchGraderOptions { Concurrency = concurrency, Coalesce = coalesce, Time = time ?? TimeProvider.System });

    // A judge whose answers wait until the test lets them through, in the order the test chooses.
    private sealed class Gate
    {
        private readonly ConcurrentQueue<TaskCompletionSource> _waiting = new();

        public int Waiting => _waiting.Count;

        // Gives way to cancellation, as an HTTP call does.
        public Task Wait(IReadOnlyList<ChatMessage> _, CancellationToken cancellationToken)
        {
            var tcs = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            _waiting.Enqueue(tcs);
            return tcs.Task.WaitAsync(cancellationToken);
        }

        public List<TaskCompletionSource> Take()
        {
            var all = new List<TaskCompletionSource>();
            while (_waiting.TryDequeue(out var t)) all.Add(t);
            return all;
        }
    }

    [Fact]
    public async Task Outcomes_ComeInInputOrder_AtMostTheConcurrencyAtOnce_EachReportedOnce()
    {
        var gate = new Gate();
        var judge = new InMemoryJudge(World) { Before = gate.Wait };
        using var walk = Walk(judge, concurrency: 3);
        var items = Items(perTask: 3); // 9 items, all-at-once: one call each
        var reported = new ConcurrentBag<string>();
        var run = walk.GradeAllAsync(items, new SyncProgress(o => reported.Add(o.Item.Response.ResponseId + "/" + o.Item.Response.PromptId)));
        var released = 0;
        while (released < items.Count)
        {
            while (gate.Waiting == 0) await Task.Delay(5);
            await Task.Delay(20); // let every slot fill before letting answers through
            Assert.True(judge.InFlight <= 3, $"{judge.InFlight} calls in flight");
            var waiting = gate.Take();
            waiting.Reverse(); // later items finish first
            foreach (var w in waiting) w.SetResult();
            released += waiting.Count;
        }
        var outcomes = await run;
        Assert.Equal(3, judge.PeakInFlight);
        Assert.Equal(items.Select(i => i.Response.ResponseId + "/" + i.Response.PromptId),
            outcomes.Select(o => o.Item.Response.ResponseId + "/" + o.Item.Response.PromptId));
        Assert.Equal(items.Count, reported.Count);
        Assert.All(outcomes, o => Assert.NotNull(o.Graded));
        // The same verdicts as grading each response alone (the walk adds no judgement of its own), on an ungated judge.
        using var single = Walk(new InMemoryJudge(World), concurrency: 1);
        foreach (var o in outcomes.Take(3))
        {
            var alone = await single.Grader.GradeAsync(o.Item.Rubric, o.Item.Conversation, o.Item.Response);
            Assert.Equal(alone.Result.Reward, o.Reward);
        }
    }

    [Fact]
    public async Task AFailingItem_IsThatItemsError_TheRestAreGraded()
    {
        var items = Items(perTask: 1);
        var bad = items[1].Response.Response;
        var judge = new InMemoryJudge(World)
        {
            Before = (m, _) => m.Any(x => x.Text.Contains(bad, StringComparison.Ordinal)) ? throw new InvalidOperationException("the judge's client broke")
                : Task.CompletedTask,
        };
        using var walk = Walk(judge, concurrency: 2);
        var outcomes = await walk.GradeAllAsync(items);
        Assert.Equal("grading failed: the judge's client broke", outcomes[1].Error);
        Assert.Null(outcomes[1].Graded);
        Assert.All(new[] { outcomes[0], outcomes[2] }, o => Assert.NotNull(o.Graded));
        Assert.Throws<InvalidOperationException>(() => outcomes[1].GradedOrThrow());
    }

    [Fact]
    public async Task AnUnusableEndpoint_StopsTheBatch()
    {
        var judge = new InMemoryJudge(World) { Before = (_, _) => throw new EndpointUnusableException("memory: every call rejected") };
        using var walk = Walk(judge, concurrency: 2);
        var ex = await Assert.ThrowsAsync<EndpointUnusableException>(() => walk.GradeAllAsync(Items(perTask: 2)));
        Assert.Equal("memory: every call rejected", ex.Message);
    }

    [Fact]
    public async Task Cancellation_StopsTheBatch()
    {
        var gate = new Gate();
        var judge = new InMemoryJudge(World) { Before = gate.Wait };
        using var walk = Walk(judge, concurrency: 2);
        using var cancel = new CancellationTokenSource();
        var run = walk.GradeAllAsync(Items(perTask: 2), null, cancel.Token);
        while (gate.Waiting < 2) await Task.Delay(5);
        await cancel.CancelAsync();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        foreach (var w in gate.Take()) w.SetResult();
    }

    [Fact]
    public async Task AStoppedBatch_ReturnsOnlyAfterTheGradingsItStarted_HaveEnded()
    {
        // The first item's call gives way to cancellation, the second's does not (a call already answering). The batch
        // ends on the first item's cancellation; it must not return while the second still runs, or a caller disposing
        // its verdict cache after the error pulls it from under that grading (refine did).
        var items = Items(perTask: 2);
        var held = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var entered = 0;
        var judge = new InMemoryJudge(World)
        {
            Before = async (messages, ct) =>
            {
                Interlocked.Increment(ref entered);
                var isFirst = messages.Any(m => m.Text.Contains(items[0].Response.Response, StringComparison.Ordinal));
                if (isFirst) await Task.Delay(Timeout.Infinite, ct);
                else await held.Task;
            },
        };
        using var walk = Walk(judge, concurrency: 2);
        using var cancel = new CancellationTokenSource();
        var run = walk.GradeAllAsync(items, null, cancel.Token);
        for (var i = 0; i < 2000 && Volatile.Read(ref entered) < 2; i++) await Task.Delay(5);
        Assert.Equal(2, Volatile.Read(ref entered));
        await cancel.CancelAsync();
        // The first call gives way; the batch must still be waiting for the second, which does not.
        for (var i = 0; i < 2000 && judge.InFlight > 1; i++) await Task.Delay(5);
        Assert.Equal(1, judge.InFlight);
        Assert.NotSame(run, await Task.WhenAny(run, Task.Delay(200)));
        held.SetResult();
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => run);
        Assert.Equal(0, judge.InFlight);
    }

    [Fact]
    public async Task Within_ADeadlineOnTheFakeClock_FinishedItemsAnswer_TheRestAreNull_AndNothingMoreStarts()
    {
        var gate = new Gate();
        var clock = new FakeTimeProvider();
        var items = Items(perTask: 1);
        var first = items[0].Response.Response;
        // The first item's call is held; the others answer at once. One slot: the third waits behind the first.
        var judge = new InMemoryJudge(World)
            { Before = (m, ct) => m.Any(x => x.Text.Contains(first, StringComparison.Ordinal)) ? gate.Wait(m, ct) : Task.CompletedTask };
        using var walk = Walk(judge, concurrency: 1, clock);
        var run = walk.GradeWithinAsync([items[0], null, items[2]], TimeSpan.FromSeconds(5), CancellationToken.None, CancellationToken.None);
        while (gate.Waiting == 0) await Task.Delay(5);
        clock.Advance(TimeSpan.FromSeconds(4));
        await Task.Delay(50);
        Assert.False(run.IsCompleted); // 4 s of the 5 on the server's clock
        clock.Advance(TimeSpan.FromSeconds(1));
        var within = await run;
        Assert.Equal(BatchEnd.Deadline, within.Ending);
        Assert.All(within.Outcomes, Assert.Null);
        foreach (var w in gate.Take()) w.SetResult();
        // The started item finishes in the background; the shed one never asks the judge.
        while (walk.Grading > 0) await Task.Delay(5);
        await Task.Delay(50);
        Assert.Equal(1, judge.PeakInFlight);
        Assert.Equal(0, judge.InFlight);
    }

    [Fact]
    public async Task Coalescing_IdenticalItemsInFlight_ShareOneGrading()
    {
        var gate = new Gate();
        var judge = new InMemoryJudge(World) { Before = gate.Wait };
        using var walk = Walk(judge, concurrency: 8, coalesce: true);
        var item = Items(perTask: 1)[0];
        var run = walk.GradeWithinAsync([item, item with { }, item with { }], TimeSpan.FromMinutes(1), CancellationToken.None, CancellationToken.None);
        while (gate.Waiting == 0) await Task.Delay(5);
        await Task.Delay(50);
        foreach (var w in gate.Take()) w.SetResult();
        var within = await run;
        Assert.Equal(BatchEnd.Finished, within.Ending);
        Assert.Equal(1, judge.PeakInFlight);
        Assert.Same(within.Outcomes[0]!.Graded, within.Outcomes[2]!.Graded);
    }

    /// <summary>Reports on the calling thread (<see cref="Progress{T}"/> would post to the thread pool).</summary>
    private sealed class SyncProgress(Action<GradeOutcome> report) : IProgress<GradeOutcome>
    {
        public void Report(GradeOutcome value) => report(value);
    }
}
