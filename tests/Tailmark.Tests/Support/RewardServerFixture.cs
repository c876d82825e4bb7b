using Microsoft.Extensions.AI;
using Tailmark.Checks;
using Tailmark.Judging;
using Tailmark.Llm;
using Tailmark.Rubrics;
using Tailmark.Scoring;
using Tailmark.Server.Reward;
using Tailmark.Sim.Server;

namespace Tailmark.Tests.Support;

/// <summary>Starts the real reward server on 127.0.0.1 over a simulated world's rubrics, judged through <paramref name="judge"/> in all-at-once mode.</summary>
public static class RewardServerFixture
{
    public static async Task<(RewardServer Server, RewardMetrics Metrics)> StartAsync(SimServer sim, IChatClient judge, RewardServerOptions? options = null, IReadOnlyList<Rubric>? shared = null)
    {
        options ??= new RewardServerOptions();
        var index = new RubricIndex(sim.World.Tasks.Select(SimFixtures.RubricFor), shared ?? []);
        var metrics = new RewardMetrics();
        var grader = new ResponseGrader(new JudgeEngine([judge], null, new JudgeOptions { Mode = JudgeMode.AllAtOnce }), new CheckRunner(), new RewardPipeline(ScoringConfigLoader.Preset("default")));
        return (await RewardServer.StartAsync(new RewardService(index, grader, options, metrics), metrics, options), metrics);
    }
}
