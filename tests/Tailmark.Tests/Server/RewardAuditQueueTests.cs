using Tailmark.Grading;
using Tailmark.Io;
using Tailmark.Monitoring;
using Tailmark.Rubrics;
using Tailmark.Server.Reward;
using Tailmark.Sim;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Server;

/// <summary>The audit's queue in process: a reference judge held at a gate, more rollouts offered than the queue holds.</summary>
[Trait("Tier", "Fast")]
public sealed class RewardAuditQueueTests
{
    [Fact]
    public async Task OffersBeyondTheQueue_AreDroppedAndCounted_TheRestAudited()
    {
        var world = new SimWorld(9, 1);
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var judge = new InMemoryJudge(world) { Before = (_, ct) => gate.Task.WaitAsync(ct) };
        using var walk = Walk.Over(judge.Client(), options: new BatchGraderOptions { Concurrency = 4 });
        var monitor = new RewardMonitor();
        var audit = new RewardAudit(walk, 1.0, monitor, "reference");
        var set = new RubricSet(world.Tasks.Select(SimFixtures.RubricFor));
        var task = world.Tasks[0];
        const int offered = RewardAudit.QueueLimit + 1000;
        for (var i = 0; i < offered; i++)
        {
            audit.Offer(set.ItemFor(new ResponseRow(task.Id, $"r{i}", $"Answer {i}.", null, JsonMaps.Empty))!, MonitorStepKey.Step(1), 0.5);
        }
        // The worker holds at most the walk's window and slots beyond the queue: at least the excess over those is dropped.
        var (sampled, _, _, dropped) = audit.Counts;
        Assert.Equal(offered, sampled);
        Assert.InRange(dropped, offered - RewardAudit.QueueLimit - 2 * 4 - 1, offered - RewardAudit.QueueLimit);
        gate.SetResult();
        for (var i = 0; i < 2000 && audit.Counts.Graded + audit.Counts.Failed < sampled - dropped; i++) await Task.Delay(10);
        Assert.Equal(sampled - dropped, audit.Counts.Graded + audit.Counts.Failed);
        await audit.DisposeAsync();
    }
}
