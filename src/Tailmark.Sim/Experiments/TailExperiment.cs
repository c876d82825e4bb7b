using Microsoft.Extensions.AI;
using Tailmark.Building;
using Tailmark.Checks;
using Tailmark.Grading;
using Tailmark.Io;
using Tailmark.Judging;
using Tailmark.Llm;
using Tailmark.Rubrics;
using Tailmark.Evaluation;
using Tailmark.Scoring;

namespace Tailmark.Sim.Experiments;

/// <summary>
/// The Chasing-the-Tail experiment on the simulated world (the paper's Table 2): rubrics built five ways — prompt
/// only; one refinement pair from <c>sim-good</c>; one pair from <c>sim-great</c>; four rounds over
/// <c>sim-great</c>; four rounds over a great and diverse pool — then each rubric's accuracy against gold on
/// pairs of held-out responses, in the high- and low-reward regions, with a k-vote majority judge (ties wrong).
/// Every model is reached through its HTTP client; only gold comes from the world directly.
/// </summary>
public sealed class TailExperiment(SimWorld world, Func<string, IChatClient> generators, IChatClient proposer, IChatClient judge, int votes = 5,
    int evaluationPerTask = 12)
{
    private static readonly string[] EvaluationModels = ["sim-base", "sim-good", "sim-great", "sim-diverse-1", "sim-diverse-2", "sim-diverse-3",
        "sim-diverse-4", "sim-diverse-5", "sim-diverse-6"];

    public async Task<IReadOnlyList<TailExperimentRow>> RunAsync(int concurrency = 4, IProgress<string>? progress = null,
        CancellationToken cancellationToken = default)
    {
        var pipeline = new RewardPipeline(ScoringConfigLoader.Preset("ctt"));
        // Two grading walks over the one judge: one vote while building, a k-vote majority when evaluating.
        var walk = new BatchGraderOptions { Concurrency = Math.Max(16, judge.Endpoint().Limits.Concurrency) };
        using var build = new BatchGrader(new ResponseGrader(new JudgeEngine([judge], null, new JudgeOptions { Mode = JudgeMode.AllAtOnce }), new CheckRunner(),
            pipeline), walk);
        using var evaluate = new BatchGrader(new ResponseGrader(new JudgeEngine([judge], null, new JudgeOptions { Mode = JudgeMode.AllAtOnce, Votes = votes }),
            new CheckRunner(), pipeline), walk);
        var proposerClient = new ProposerClient(proposer);
        var names = new[] { "prompt only", "1 pair, good", "1 pair, great", "4 rounds, great", "4 rounds, great & diverse" };
        var scored = names.ToDictionary(n => n, _ => new List<PairAccuracy.Scored>());
        var sizes = names.ToDictionary(n => n, _ => new List<int>());
        var done = 0;
        await Parallel.ForEachAsync(world.Tasks, new ParallelOptions { MaxDegreeOfParallelism = concurrency, CancellationToken = cancellationToken },
            async (task, ct) =>
        {
            var prompt = new PromptRow(task.Id, PromptContent.FromText(task.Prompt), null, [], JsonMaps.Empty);
            var (initial, _) = await new RubricProposer(proposerClient).ProposeAsync(prompt, withReference: false, ct).ConfigureAwait(false);
            var good = await Pool(prompt, [("sim-good", 8)], 100, ct).ConfigureAwait(false);
            var great = await Pool(prompt, [("sim-great", 8)], 100, ct).ConfigureAwait(false);
            var diverse = await Pool(prompt, [.. Enumerable.Range(1, 6).Select(d => ($"sim-diverse-{d}", 1)), ("sim-great", 2)], 200, ct).ConfigureAwait(false);
            async Task<Rubric> Refine(IReadOnlyList<ResponseRow> pool, int rounds) =>
                (await new RubricRefiner(build, proposerClient, new RefineOptions(rounds, PairStrategy.Top2, ExcludeUsed: true, Seed: world.Seed))
                    .RefineAsync(initial, pool, ct).ConfigureAwait(false)).Final;
            var rubrics = new Dictionary<string, Rubric>
            {
                [names[0]] = initial,
                [names[1]] = await Refine(good, 1).ConfigureAwait(false),
                [names[2]] = await Refine(great, 1).ConfigureAwait(false),
                [names[3]] = await Refine(great, 4).ConfigureAwait(false),
                [names[4]] = await Refine(diverse, 4).ConfigureAwait(false),
            };
            // Held-out responses: other seeds, every generator, so both regions are populated.
            var evaluation = await Pool(prompt, [.. Enumerable.Range(0, evaluationPerTask).Select(i => (EvaluationModels[i % EvaluationModels.Length], 1))],
                1000, ct, distinctSeeds: true).ConfigureAwait(false);
            foreach (var (name, rubric) in rubrics)
            {
                var graded = await evaluate.GradeAllAsync(evaluation.Select(r => new GradeItem(rubric, task.Prompt, r)), null, ct).ConfigureAwait(false);
                var results = graded.Select(o =>
                    new PairAccuracy.Scored(task.Id, o.Item.Response.ResponseId, SimWorld.Gold(task, o.Item.Response.Response),
                        o.GradedOrThrow().Result.Reward)).ToList();
                lock (scored)
                {
                    scored[name].AddRange(results);
                    sizes[name].Add(rubric.Criteria.Length);
                }
            }
            progress?.Report($"task {Interlocked.Increment(ref done)}/{world.Tasks.Length}");
        }).ConfigureAwait(false);
        return [.. names.Select(n =>
        {
            var (high, low, all) = PairAccuracy.Compute(scored[n]);
            return new TailExperimentRow(n, high, low, all, sizes[n].Average());
        })];
    }

    private async Task<List<ResponseRow>> Pool(PromptRow prompt, (string Model, int Count)[] spec, int firstSeed, CancellationToken ct,
        bool distinctSeeds = false)
    {
        var rows = new List<ResponseRow>();
        var k = 0;
        foreach (var (model, count) in spec)
        {
            for (var i = 0; i < count; i++)
            {
                var index = distinctSeeds ? k : i;
                var sample = await PoolSampler.SampleAsync(generators(model), model, prompt, index, firstSeed, ct).ConfigureAwait(false);
                if (sample.Row is { } row) rows.Add(row with { ResponseId = $"{model}-{firstSeed + index}" });
                k++;
            }
        }
        return rows;
    }
}
