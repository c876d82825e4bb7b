using Microsoft.Extensions.AI;
using Tailmark.Checks;
using Tailmark.Grading;
using Tailmark.Judging;
using Tailmark.Llm;
using Tailmark.Scoring;

namespace Tailmark.Tests.Support;

/// <summary>The grading walk over one judge client, as the fronts build it: judge engine, checks, a scoring preset, a batch grader.</summary>
public static class Walk
{
    public static BatchGrader Over(IChatClient judge, JudgeOptions? judging = null, string preset = "default", BatchGraderOptions? options = null) =>
        new(new ResponseGrader(new JudgeEngine([judge], null, judging ?? new JudgeOptions { Mode = JudgeMode.AllAtOnce }), new CheckRunner(),
            new RewardPipeline(ScoringConfigLoader.Preset(preset))), options);
}
