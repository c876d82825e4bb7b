using Microsoft.Extensions.AI;
using Tailmark.Grading;
using Tailmark.Llm;
using Tailmark.Rubrics;
using Tailmark.Server.Reward;
using Tailmark.Sim.Server;

namespace Tailmark.Tests.Support;

/// <summary>Starts the real reward server on 127.0.0.1 over a simulated world's rubrics, judged through <paramref name="judge"/> in all-at-once mode.</summary>
public static class RewardServerFixture
{
    public static Task<(RewardServer Server, RewardMetrics Metrics)> StartAsync(SimServer sim, IChatClient judge, RewardServerOptions? options = null,
        IReadOnlyList<Rubric>? shared = null,
        TimeProvider? time = null) =>
        StartAsync(new RubricSet(sim.World.Tasks.Select(SimFixtures.RubricFor), shared), judge, options, time);

    /// <summary>The server over RUBRICS (with their layers), as <c>serve</c> builds it: a coalescing walk with the server's grading slots.</summary>
    public static async Task<(RewardServer Server, RewardMetrics Metrics)> StartAsync(RubricSet rubrics, IChatClient judge, RewardServerOptions? options = null,
        TimeProvider? time = null, Microsoft.Extensions.Logging.ILoggerProvider? logs = null)
    {
        options ??= new RewardServerOptions();
        var metrics = new RewardMetrics();
        var batch = Walk.Over(judge,
            options: new BatchGraderOptions { Concurrency = options.GradingSlots, Coalesce = true, Time = time ?? TimeProvider.System });
        return (await RewardServer.StartAsync(new RewardService(new RubricIndex(rubrics), batch, options, metrics, time: time), metrics, options, logs: logs),
            metrics);
    }
}
