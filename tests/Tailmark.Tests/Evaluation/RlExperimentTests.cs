using System.Text.Json;
using Tailmark.Evaluation.Rl;
using Tailmark.Sim;
using Tailmark.Sim.Experiments;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Evaluation;

/// <summary>The simulated RL loop: the policy's GRPO step by hand, the curve and interval arithmetic, the file, and whole runs through the CLI.</summary>
public sealed class RlExperimentTests
{
    [Fact]
    public void PolicyUpdate_MovesEachLogitByTheMeanOfAdvantageTimesChosenMinusProbability()
    {
        var world = new SimWorld(5, 1);
        var task = world.Tasks[0];
        var options = new RlOptions { LearningRate = 0.5, StartGraderNote = 0.5 };
        var policy = new RlPolicy(world.Tasks, SimGenerators.Find("sim-good")!, options);
        var before = policy.Probabilities(task);
        // Two rollouts, rewards 1 and 0: z-scores +1 and -1. The first chose only action 0, the second only the grader note.
        var n = task.Facets.Length + 1;
        bool[] Only(int a) => [.. Enumerable.Range(0, n).Select(i => i == a)];
        var group = new List<(RlPolicy.Rollout, double?)> { (new RlPolicy.Rollout(Only(0), "a"), 1.0), (new RlPolicy.Rollout(Only(n - 1), "b"), 0.0) };
        policy.Update(task, group);
        var after = policy.Probabilities(task);
        double Logit(double p) => Math.Log(p / (1 - p));
        for (var a = 0; a < n; a++)
        {
            var x0 = a == 0 ? 1.0 : 0.0;
            var x1 = a == n - 1 ? 1.0 : 0.0;
            var gradient = (1 * (x0 - before[a]) + -1 * (x1 - before[a])) / 2;
            Assert.Equal(Logit(before[a]) + 0.5 * gradient, Logit(after[a]), 9);
        }
        // A group with one reward carries no signal; an unscored rollout takes no part.
        policy.Update(task, [(new RlPolicy.Rollout(Only(0), "a"), 0.7), (new RlPolicy.Rollout(Only(1), "b"), 0.7), (new RlPolicy.Rollout(Only(2), "c"), null)]);
        Assert.Equal(after, policy.Probabilities(task));
    }

    [Fact]
    public void PolicySample_KeepsAtMostTheBudget_AndGoldCountsOnlyTheFacetsThatFit()
    {
        var world = new SimWorld(5, 1);
        var task = world.Tasks[0];
        var policy = new RlPolicy(world.Tasks, SimGenerators.Find("sim-great")!, new RlOptions { LengthBudget = 3, StartGraderNote = 0.99 });
        var rng = new Random(1);
        for (var i = 0; i < 50; i++)
        {
            var r = policy.Sample(task, rng);
            var facets = SimWorld.FacetsIn(task, r.Response).Count();
            var note = r.Response.Contains(SimVocabulary.Injection, StringComparison.Ordinal) ? 1 : 0;
            Assert.Equal(Math.Min(3, r.Chosen.Count(c => c)), facets + note);
        }
    }

    [Fact]
    public void Curve_PeakEndAndSmoothing_ByHand()
    {
        double[] gold = [0.1, 0.3, 0.5, 0.4, 0.2, 0.2, 0.2];
        double[] proxy = [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7];
        var steps = gold.Select((g, i) => new RlStep(i, proxy[i], g, 0, 0, i == 3 ? 1 : 0, 0, false, double.NaN)).ToList();
        var curve = RlCurve.Of(steps);
        // Smoothed gold (window 5, shorter at the ends): 0.3, 0.325, 0.3, 0.32, 0.3, 0.25, 0.2 — the peak is step 1.
        Assert.Equal(1, curve.PeakStep);
        Assert.Equal((0.1 + 0.3 + 0.5 + 0.4) / 4, curve.PeakGold, 12);
        Assert.Equal((0.5 + 0.4 + 0.2 + 0.2 + 0.2) / 5, curve.FinalGold, 12);
        Assert.Equal((0.1 + 0.2 + 0.3 + 0.4) / 4, curve.ProxyAtPeak, 12);
        Assert.Equal((0.3 + 0.4 + 0.5 + 0.6 + 0.7) / 5, curve.FinalProxy, 12);
        Assert.Equal(1, curve.Refinements);
    }

    [Fact]
    public void Interval_OfConstantValuesIsThePoint_AndOfSpreadValuesContainsTheMean()
    {
        var point = RlInterval.Of([2.0, 2.0, 2.0]);
        Assert.Equal((2.0, 2.0, 2.0), (point.Mean, point.Low, point.High));
        var spread = RlInterval.Of([0.0, 1.0, 2.0, 3.0, 4.0]);
        Assert.Equal(2.0, spread.Mean, 12);
        Assert.InRange(spread.Low, 0.4, 2.0);
        Assert.InRange(spread.High, 2.0, 3.6);
        Assert.Equal(spread, RlInterval.Of([0.0, 1.0, 2.0, 3.0, 4.0])); // seeded: the same every time
    }

    [Fact]
    public void Experiment_ReplaysTheSameRunsForASeed_AndTheReportDrawsThem()
    {
        using var dir = new TempDir();
        string[] Args(string output) =>
            ["experiment", "rl", "--seeds", "3", "--tasks", "2", "--steps", "8", "--group", "6", "--refine-cooldown", "12", "--configs",
                "prompt-only,online,online-audit", "--audit-rate", "1", "--sim-dialect", "mixed", "--out", output];
        var first = CliProcess.Run(Args(dir.File("a")));
        Assert.True(first.ExitCode == 0, first.All);
        var second = CliProcess.Run(Args(dir.File("b")));
        Assert.Equal(0, second.ExitCode);
        var a = File.ReadAllText(Path.Combine(dir.File("a"), RlFile.Name));
        Assert.Equal(a, File.ReadAllText(Path.Combine(dir.File("b"), RlFile.Name)));
        Assert.Contains("Simulated RL, seeds 3, 8 steps, group 6", first.Stdout);

        var (settings, runs) = RlFile.Read(Path.Combine(dir.File("a"), RlFile.Name));
        Assert.Equal("3", settings["seeds"]);
        Assert.Equal(["static prompt-only", "online refinement", "online refinement + audit"], runs.Select(r => r.Config));
        Assert.All(runs, r => Assert.Equal(8, r.Steps.Count));
        Assert.All(runs.SelectMany(r => r.Steps), s => Assert.InRange(s.Proxy, 0, 1));
        // Step 0 is the same policy and the same rollouts in every configuration: the same gold; the static run has no
        // refinements and no audit.
        Assert.Single(runs.Select(r => r.Steps[0].Gold).Distinct());
        Assert.All(runs[0].Steps, s => Assert.Equal(0, s.Refined + s.Rejected));
        Assert.All(runs[0].Steps, s => Assert.True(double.IsNaN(s.AuditGap)));
        Assert.Contains(runs[2].Steps, s => !double.IsNaN(s.AuditGap));

        var report = CliProcess.Run("report", dir.File("a"), "--out", dir.File("report.html"));
        Assert.True(report.ExitCode == 0, report.All);
        var html = File.ReadAllText(dir.File("report.html"));
        Assert.Contains("Simulated RL", html);
        Assert.Contains("rl-gold", html);
    }

    [Fact]
    public void RlFile_RefusesAnotherKind_NamingTheField()
    {
        using var dir = new TempDir();
        File.WriteAllText(dir.File(RlFile.Name), JsonSerializer.Serialize(new { kind = "something-else", runs = Array.Empty<int>() }));
        var ex = Assert.Throws<Tailmark.Io.InputException>(() => RlFile.Read(dir.File(RlFile.Name)));
        Assert.Contains("kind", ex.Message);
    }
}
