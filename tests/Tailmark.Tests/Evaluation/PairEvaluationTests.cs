using System.Text.Json;
using Tailmark.Evaluation;
using Tailmark.Sim;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Evaluation;

public sealed class PairEvaluationTests
{
    private static readonly PairEvaluation.Outcome[] Outcomes =
    [
        new("high", 0.9, 0.5), new("high", 0.5, 0.5), new("high", 0.2, 0.4), new("low", 0.3, 0.1), new("low", null, 0.1),
    ];

    [Theory]
    [InlineData(PairTies.Wrong, 2.0 / 5, 5)]   // right: 1st, 4th; ties (2nd, 5th) wrong
    [InlineData(PairTies.Half, 3.0 / 5, 5)]    // the two ties count a half each
    [InlineData(PairTies.Exclude, 2.0 / 3, 3)] // only the three decided pairs count
    public void Accuracy_FollowsTheTiePolicy(PairTies ties, double expected, int pairs)
    {
        var all = PairEvaluation.Compute(Outcomes, ties).Single(r => r.Region == "all");
        Assert.Equal(expected, all.Accuracy, 12);
        Assert.Equal(pairs, all.Pairs);
        Assert.Equal(2, all.Ties);
        Assert.InRange(expected, all.Low, all.High);
    }

    [Fact]
    public void Accuracy_SplitsByRegion()
    {
        var rows = PairEvaluation.Compute(Outcomes, PairTies.Wrong);
        Assert.Equal(1.0 / 3, rows.Single(r => r.Region == "high").Accuracy, 12);
        Assert.Equal(1.0 / 2, rows.Single(r => r.Region == "low").Accuracy, 12);
    }

    [Fact]
    public void Agreement_BalancedF1AndKappa_ByHand()
    {
        // tp 40, fp 10, fn 5, tn 45 of 100.
        var pairs = Enumerable.Repeat((true, true), 40).Concat(Enumerable.Repeat((false, true), 10))
            .Concat(Enumerable.Repeat((true, false), 5)).Concat(Enumerable.Repeat((false, false), 45));
        var a = Agreement.Of(pairs);
        // F1(met) = 80/95, F1(not met) = 90/105; kappa: observed 0.85, expected 0.5·0.45 + 0.5·0.55 = 0.5 → 0.7.
        Assert.Equal((80.0 / 95 + 90.0 / 105) / 2, a.BalancedF1, 12);
        Assert.Equal(0.7, a.Kappa, 12);
    }

    [Trait("Tier", "Integration")]
    [Fact]
    public void Cli_PairsFromTheSimulatedWorld_ReportsAccuracyAndAgreement()
    {
        using var dir = new TempDir();
        var world = new SimWorld(new SimOptions().Seed, 6);
        var rubrics = dir.File("r.jsonl");
        SimFixtures.WriteRubrics(rubrics, world);
        var lines = new List<string>();
        foreach (var task in world.Tasks)
        {
            var a = SimGenerators.Write(SimGenerators.Find("sim-great")!, task, world.Seed, "p/0");
            var b = SimGenerators.Write(SimGenerators.Find("sim-base")!, task, world.Seed, "p/1");
            var (ga, gb) = (SimWorld.Gold(task, a), SimWorld.Gold(task, b));
            if (ga.Equals(gb)) continue;
            var (chosen, rejected, cg, rg) = ga > gb ? (a, b, ga, gb) : (b, a, gb, ga);
            var labels = task.Facets.ToDictionary(f => f.Id, f => chosen.Contains(f.Phrase, StringComparison.OrdinalIgnoreCase));
            lines.Add(JsonSerializer.Serialize(new { prompt_id = task.Id, chosen, rejected, chosen_gold = cg, rejected_gold = rg, chosen_labels = labels }));
        }
        var pairs = dir.Write("pairs.jsonl", string.Join("\n", lines) + "\n");
        var result = CliProcess.Run("eval", "pairs", "--rubrics", rubrics, "--pairs", pairs, "--votes", "3", "--sim-tasks", "6", "--cache",
            dir.File("c.sqlite"));
        Assert.Equal(0, result.ExitCode);
        Assert.Matches(@"all\s*│\s*\d+\s*│", result.Stdout);
        Assert.Contains("balanced F1", result.Stdout);
    }
}
