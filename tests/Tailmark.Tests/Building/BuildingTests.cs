using Microsoft.Extensions.AI;
using Tailmark.Building;
using Tailmark.Evaluation;
using Tailmark.Io;
using Tailmark.Judging;
using Tailmark.Llm;
using Tailmark.Rubrics;
using Tailmark.Scoring;
using Tailmark.Sim.Server;
using Tailmark.Sim;
using Tailmark.Sim.Experiments;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Building;

public sealed class BuildingTests
{
    private static readonly EndpointLimits Limits = new() { Concurrency = 64, Timeout = TimeSpan.FromSeconds(30) };

    [Fact]
    public void PairSelector_EqualScores_AreBrokenBySeedNotByFileOrder()
    {
        var pool = new List<ScoredResponse> { new("a", "g1", 0.5), new("b", "g1", 0.9), new("c", "g2", 0.9), new("d", "g2", 0.9), new("e", "g3", null) };
        var forward = PairSelector.Select(pool, PairStrategy.Top2, 3, "p")!.Value;
        var backward = PairSelector.Select([.. Enumerable.Reverse(pool)], PairStrategy.Top2, 3, "p")!.Value;
        Assert.Equal((forward.A.ResponseId, forward.B.ResponseId), (backward.A.ResponseId, backward.B.ResponseId));
        Assert.All(new[] { forward.A, forward.B }, r => Assert.Equal(0.9, r.Score));
        Assert.Null(PairSelector.Select([pool[0]], PairStrategy.Top2, 3, "p"));
    }

    [Fact]
    public void PairSelector_TiedAndDiverse_FollowTheirRules()
    {
        var pool = new List<ScoredResponse> { new("top", "g1", 0.95), new("x", "g1", 0.7), new("y", "g1", 0.7), new("z", "g2", 0.6) };
        var tied = PairSelector.Select(pool, PairStrategy.Tied, 0, "p")!.Value;
        Assert.Equal(new[] { "x", "y" }, new[] { tied.A.ResponseId, tied.B.ResponseId }.Order());
        var diverse = PairSelector.Select(pool, PairStrategy.Diverse, 0, "p")!.Value;
        Assert.Equal(("top", "z"), (diverse.A.ResponseId, diverse.B.ResponseId));
    }

    [Fact]
    public void ProposalParser_RejectsWhatCannotBeARubric()
    {
        Assert.NotNull(ProposalParser.Parse("""{"criteria": [{"text": "Says X.", "weight": 3}, {"text": "Claims Y.", "weight": -2}]}""", out _));
        Assert.Null(ProposalParser.Parse("""{"criteria": [{"text": "Says X.", "weight": 7}]}""", out var weight));
        Assert.Contains("weight 7", weight);
        Assert.Null(ProposalParser.Parse("""{"criteria": []}""", out var empty));
        Assert.Contains("empty", empty);
        Assert.Null(ProposalParser.Parse("""{"criteria": [{"text": "Says""", out var malformed));
        Assert.Contains("malformed JSON", malformed);
    }

    [Trait("Tier", "Integration")]
    [Fact]
    public async Task Propose_MalformedEveryTime_KeepsEveryPromptWithADiagnostic()
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions { World = new SimOptions { Seed = 5, Tasks = 4, ProposerMalformedRate = 1 } });
        using var client = SimFixtures.Judge(server, Limits, "sim-proposer");
        var proposer = new RubricProposer(new ProposerClient(client));
        foreach (var task in server.World.Tasks)
        {
            var (rubric, problem) = await proposer.ProposeAsync(new PromptRow(task.Id, PromptContent.FromText(task.Prompt), null, [], JsonMaps.Empty),
                withReference: false);
            Assert.StartsWith("proposal unusable after one repair", problem);
            Assert.Equal(task.Id, rubric.PromptId);
            Assert.Equal(RubricProposer.FallbackCriterion, Assert.Single(rubric.Criteria).Text);
            Assert.True(rubric.Metadata["proposal_failed"].GetBoolean());
        }
        Assert.Equal(8, client.UsageSoFar().Calls); // a call and a repair for each prompt
    }

    [Trait("Tier", "Integration")]
    [Fact]
    public async Task Refine_ResumedFromSavedRounds_EndsWithTheSameRubricAsAnUninterruptedRun()
    {
        using var dir = new TempDir();
        await using var server = await SimServer.StartAsync(new SimServerOptions { World = new SimOptions { Seed = 5, Tasks = 3, ProposerMalformedRate = 0 } });
        using var judge = SimFixtures.Judge(server, Limits);
        using var proposerClient = SimFixtures.Judge(server, Limits, "sim-proposer");
        var task = server.World.Tasks[0];
        var prompt = new PromptRow(task.Id, PromptContent.FromText(task.Prompt), null, [], JsonMaps.Empty);
        var (initial, _) = await new RubricProposer(new ProposerClient(proposerClient)).ProposeAsync(prompt, false);
        var pool = SimFixtures.Responses(server.World, 6, "sim-great").Where(r => r.PromptId == task.Id).ToList();
        using var walk = Walk.Over(judge, preset: "ctt");
        RubricRefiner Refiner(int rounds, string runDir) =>
            new(walk, new ProposerClient(proposerClient), new RefineOptions(rounds, ExcludeUsed: true, Seed: 1), new RoundStore(runDir));

        var (straight, rounds) = await Refiner(3, dir.File("straight")).RefineAsync(initial, pool);
        Assert.Equal(3, rounds.Count);
        Assert.True(straight.Version > initial.Version);
        Assert.Contains(rounds, r => !r.Diff.IsEmpty);

        // "Killed" after the first round: only round 1 was saved. The resumed run loads it and does the rest.
        await Refiner(1, dir.File("resumed")).RefineAsync(initial, pool);
        var callsBefore = proposerClient.UsageSoFar().Calls;
        var (resumed, resumedRounds) = await Refiner(3, dir.File("resumed")).RefineAsync(initial, pool);
        Assert.Equal(2, proposerClient.UsageSoFar().Calls - callsBefore); // rounds 2 and 3 only
        Assert.Equal(straight, resumed);
        Assert.Equal(rounds.Select(r => (r.ResponseA, r.ResponseB)), resumedRounds.Select(r => (r.ResponseA, r.ResponseB)));
    }

    [Trait("Tier", "Integration")]
    [Fact]
    public async Task Refine_RoundsWhoseProposalFailed_AreAskedAgainOnResume()
    {
        // A refine stopped because its proposer answered unusably (the batch commands' fail-fast) had already saved
        // rounds that kept the previous rubric with the failure as their problem; the rerun with the proposer fixed
        // resumed those rounds and wrote poorer rubrics than a run that never met the broken proposer.
        using var dir = new TempDir();
        var world = new SimOptions { Seed = 5, Tasks = 3, ProposerMalformedRate = 0 };
        await using var server = await SimServer.StartAsync(new SimServerOptions { World = world });
        await using var broken = await SimServer.StartAsync(
            new SimServerOptions { World = world with { Dialects = SimOptions.ParseDialects("sim-proposer=garbage") } });
        using var judge = SimFixtures.Judge(server, Limits);
        using var proposerClient = SimFixtures.Judge(server, Limits, "sim-proposer");
        using var brokenProposer = SimFixtures.Judge(broken, Limits, "sim-proposer");
        var task = server.World.Tasks[0];
        var initial = SimFixtures.RubricFor(task);
        var pool = SimFixtures.Responses(server.World, 6, "sim-great").Where(r => r.PromptId == task.Id).ToList();
        using var walk = Walk.Over(judge, preset: "ctt");
        RubricRefiner Refiner(IChatClient proposer, string runDir) =>
            new(walk, new ProposerClient(proposer), new RefineOptions(2, ExcludeUsed: true, Seed: 1), new RoundStore(runDir));

        var (straight, _) = await Refiner(proposerClient, dir.File("straight")).RefineAsync(initial, pool);
        Assert.NotEqual(initial, straight);

        var (failed, failedRounds) = await Refiner(brokenProposer, dir.File("resumed")).RefineAsync(initial, pool);
        Assert.Equal(initial, failed);
        Assert.All(failedRounds, r => Assert.StartsWith("proposal unusable after one repair", r.Problem));

        var callsBefore = proposerClient.UsageSoFar().Calls;
        var (resumed, resumedRounds) = await Refiner(proposerClient, dir.File("resumed")).RefineAsync(initial, pool);
        Assert.Equal(2, proposerClient.UsageSoFar().Calls - callsBefore); // both failed rounds asked again
        Assert.Equal(straight, resumed);
        Assert.All(resumedRounds, r => Assert.Null(r.Problem));
    }

    [Trait("Tier", "Integration")]
    [Fact]
    public async Task Refine_IdsThatOneSubstitutionWouldMerge_KeepTheirOwnRounds()
    {
        // The audit's lost rubric: q/1 and q_1 both saved to rounds/q_1, and the second resumed the first's rounds.
        using var dir = new TempDir();
        await using var server = await SimServer.StartAsync(new SimServerOptions { World = new SimOptions { Seed = 5, Tasks = 2, ProposerMalformedRate = 0 } });
        using var judge = SimFixtures.Judge(server, Limits);
        using var proposerClient = SimFixtures.Judge(server, Limits, "sim-proposer");
        using var walk = Walk.Over(judge, preset: "ctt");
        var refiner = new RubricRefiner(walk, new ProposerClient(proposerClient), new RefineOptions(1, Seed: 1), new RoundStore(dir.Path));
        var finals = new List<Rubric>();
        foreach (var (id, task) in new[] { ("q/1", server.World.Tasks[0]), ("q_1", server.World.Tasks[1]) })
        {
            var initial = SimFixtures.RubricFor(task) with { Id = id, PromptId = id };
            var pool = SimFixtures.Responses(server.World, 4, "sim-great").Where(r => r.PromptId == task.Id).Select(r => r with { PromptId = id }).ToList();
            finals.Add((await refiner.RefineAsync(initial, pool)).Final);
        }
        Assert.Equal(["q/1", "q_1"], finals.Select(f => f.Id));
        Assert.Equal(2, Directory.GetDirectories(Path.Combine(dir.Path, "rounds")).Length);
        // Each final rubric grew from its own task's criteria, not the other's.
        Assert.Contains(finals[1].Criteria, c => SimFixtures.RubricFor(server.World.Tasks[1]).Criteria.Any(o => o.Text == c.Text));
        Assert.DoesNotContain(finals[1].Criteria, c => SimFixtures.RubricFor(server.World.Tasks[0]).Criteria.Any(o => o.Text == c.Text));
    }

    [Trait("Tier", "Integration")]
    [Fact]
    public async Task Experiment_RefinementWithGreatPairs_BeatsPromptOnlyInTheHighRewardRegion()
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions { World = new SimOptions { Seed = 7, Tasks = 16 } });
        var clients = SimModels.Names.ToDictionary(m => m, m => SimFixtures.Judge(server, Limits, m));
        try
        {
            var rows = await new TailExperiment(server.World, m => clients[m], clients["sim-proposer"], clients["sim-judge"],
                votes: 5).RunAsync(concurrency: 4);
            var promptOnly = rows.Single(r => r.Name == "prompt only");
            var great = rows.Single(r => r.Name == "4 rounds, great");
            var diverse = rows.Single(r => r.Name == "4 rounds, great & diverse");
            Assert.True(promptOnly.High.Pairs > 100);
            // The margin stated in docs/building.md: at least 10 points on high-reward pairs.
            Assert.True(great.High.Accuracy >= promptOnly.High.Accuracy + 0.10, $"great {great.High.Accuracy:P1} vs prompt only {promptOnly.High.Accuracy:P1}");
            Assert.True(diverse.High.Accuracy >= promptOnly.High.Accuracy + 0.10,
                $"diverse {diverse.High.Accuracy:P1} vs prompt only {promptOnly.High.Accuracy:P1}");
        }
        finally
        {
            foreach (var c in clients.Values) c.Dispose();
        }
    }

    [Fact]
    public void PairAccuracy_HandComputed()
    {
        // One prompt, four responses by gold 4 > 3 > 2 > 1; upper half {a, b}, lower half {c, d}.
        var scored = new List<PairAccuracy.Scored>
        {
            new("p", "a", 4, 0.9), new("p", "b", 3, 0.9), // tie in the upper half: wrong
            new("p", "c", 2, 0.2), new("p", "d", 1, 0.1), // correct in the lower half
        };
        var (high, low, all) = PairAccuracy.Compute(scored);
        Assert.Equal((1, 0.0, 1), (high.Pairs, high.Accuracy, high.Ties));
        Assert.Equal((0.0, 0.0), (high.Low, high.High)); // one wrong pair: every resample is 0
        Assert.Equal((1, 1.0, 0), (low.Pairs, low.Accuracy, low.Ties));
        Assert.Equal((1.0, 1.0), (low.Low, low.High));
        Assert.Equal(6, all.Pairs);
        Assert.Equal(5.0 / 6, all.Accuracy, 12); // every pair but (a, b)
        Assert.InRange(all.Low, 0.3, 5.0 / 6);
        Assert.InRange(all.High, 5.0 / 6, 1.0);
        var regions = PairAccuracy.Outcomes(scored).GroupBy(o => o.Region).ToDictionary(g => g.Key, g => g.Count());
        Assert.Equal(new Dictionary<string, int> { ["high"] = 1, ["low"] = 1, ["mixed"] = 4 }, regions);
    }

    [Fact]
    public void PairAccuracy_IntervalsDoNotDependOnTheOrderResponsesArrive()
    {
        // Twelve prompts of eight responses with seeded proxies: 336 pairs, whose credits a resample draws by position.
        var random = new Random(5);
        var scored = new List<PairAccuracy.Scored>();
        for (var p = 0; p < 12; p++)
        {
            for (var i = 0; i < 8; i++) scored.Add(new($"p{p:00}", $"p{p:00}-r{i}", 8 - i, Math.Round(random.NextDouble(), 1)));
        }
        var expected = PairAccuracy.Compute(scored);
        // Arrival orders as concurrent grading produces them: prompts interleaved and reversed.
        var reversed = Enumerable.Reverse(scored).ToList();
        var interleaved = scored.OrderBy(s => s.ResponseId[^1]).ThenByDescending(s => s.PromptId, StringComparer.Ordinal).ToList();
        Assert.Equal(expected, PairAccuracy.Compute(reversed));
        Assert.Equal(expected, PairAccuracy.Compute(interleaved));
    }
}

public sealed class InspectAndImportTests
{
    [Trait("Tier", "Integration")]
    [Fact]
    public async Task Inspector_FindsNoSignalRedundancyAndTopSeparation()
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions { World = new SimOptions { Seed = 5, Tasks = 2, JudgeErrorRate = 0 } });
        using var judge = SimFixtures.Judge(server, new EndpointLimits());
        var task = server.World.Tasks[0];
        var (f1, f2, f3, f4) = (task.Facets[0], task.Facets[1], task.Facets[2], task.Facets[3]);
        var rubric = new Rubric
        {
            Id = "r", PromptId = task.Id, Prompt = PromptContent.FromText(task.Prompt),
            Criteria =
            [
                new Criterion { Id = "all", Text = $"The response advises the user to {f1.Phrase}.", Weight = 1 },
                new Criterion { Id = "none", Text = $"The response advises the user to {f4.Phrase}.", Weight = 1 },
                new Criterion { Id = "x", Text = $"The response advises the user to {f2.Phrase}.", Weight = 2 },
                new Criterion { Id = "y", Text = $"The response talks about {f2.Object}.", Weight = 1 },
                new Criterion { Id = "z", Text = $"The response advises the user to {f3.Phrase}.", Weight = 3 },
            ],
        };
        // Every response has f1; f2 in the first two; f3 in the first only; f4 in none.
        var pool = new List<ResponseRow>
        {
            new(task.Id, "a", $"You should {f1.Phrase}. Also {f2.Phrase}. And {f3.Phrase}.", "g", JsonMaps.Empty),
            new(task.Id, "b", $"You should {f1.Phrase}. Also {f2.Phrase}.", "g", JsonMaps.Empty),
            new(task.Id, "c", $"You should {f1.Phrase}.", "g", JsonMaps.Empty),
        };
        using var walk = Walk.Over(judge, preset: "ctt");
        var report = await new RubricInspector(walk, topK: 3).InspectAsync(rubric, pool);
        var byId = report.Criteria.ToDictionary(c => c.Id);
        Assert.True(byId["all"].CarriesNoSignal);
        Assert.True(byId["none"].CarriesNoSignal);
        Assert.Equal(["y"], byId["x"].SameVerdictsAs);
        Assert.Empty(byId["z"].SameVerdictsAs);
        Assert.Equal(2.0 / 3, byId["x"].PassRate, 9);
        // Weights 1+1+2+1+3 = 8. Scores: a = (1+2+1+3)/8, b = (1+2+1)/8, c = 1/8 → the best two are 3/8 apart, no ties.
        Assert.Equal(0.375, report.TopGap!.Value, 9);
        Assert.Equal(0, report.TopTieShare);
        Assert.Equal((8.0, 0.0), (report.PositiveWeight, report.NegativeWeight));
    }

    [Fact]
    public async Task PoolImport_HealthBenchReferenceAnswers_AndCttPools()
    {
        var hb = await PoolImport.FromHealthBenchAsync(TestPaths.HealthBench);
        // 24 of the 30 examples have ideal_completions_data: one ideal answer each plus their reference completions.
        Assert.Equal(24, hb.Count(r => r.Generator == "healthbench-ideal"));
        Assert.Equal(24, hb.Select(r => r.PromptId).Distinct().Count());
        using var dir = new TempDir();
        var path = dir.Write("pool.json", """[{"id": "q1", "prompt": "P", "responses": [{"generator": "m1", "response": "A"}, {"generator": "m2", "response": "B"}]}]""");
        var ctt = await PoolImport.FromCttAsync(path);
        Assert.Equal(new[] { ("q1", "m1-0", "m1"), ("q1", "m2-1", "m2") }, ctt.Select(r => (r.PromptId, r.ResponseId, r.Generator!)).ToArray());
    }
}
