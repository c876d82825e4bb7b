using System.Text.Json;
using Microsoft.Extensions.Time.Testing;
using Tailmark.Grading;
using Tailmark.Io;
using Tailmark.Judging;
using Tailmark.Monitoring;
using Tailmark.Rubrics;
using Tailmark.Scoring;
using Tailmark.Server.Reward;
using Tailmark.Sim;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Monitoring;

/// <summary>
/// The monitor's table on responses graded by the simulated judge in process: its figures against the same figures
/// computed here from the graded responses, and the tables of several replicas — rendered, read back and added up —
/// against the table one server keeping every item would have.
/// </summary>
[Trait("Tier", "Fast")]
public sealed class MonitorTableTests
{
    private static readonly SimWorld World = new(31, 3);

    // Twelve graded responses per task, each in step 1 or 2 (by position), with their lengths.
    private static async Task<List<(string Prompt, long Step, GradedResponse Graded, int Length)>> GradedAsync()
    {
        var set = new RubricSet(World.Tasks.Select(SimFixtures.RubricFor));
        var rows = SimFixtures.Responses(World, 6).Concat(SimFixtures.Responses(World, 6, "sim-great")).ToList();
        using var walk = Walk.Over(new InMemoryJudge(World).Client());
        var outcomes = await walk.GradeAllAsync(rows.Select(r => set.ItemFor(r)!));
        return [.. outcomes.Select((o, i) => (o.Item.Response.PromptId, (long)(i % 2 + 1), o.GradedOrThrow(), o.Item.Response.Response.Length))];
    }

    [Fact]
    public async Task AStepsFigures_AreTheMeanStdPassRatesAndLengthsOfItsRollouts()
    {
        var graded = await GradedAsync();
        var table = new MonitorTable();
        foreach (var g in graded) table.Record(g.Prompt, MonitorStepKey.Step(g.Step), g.Graded, g.Length);
        var json = JsonDocument.Parse(table.Render()).RootElement;
        foreach (var prompt in json.GetProperty("prompts").EnumerateArray())
        {
            var id = prompt.GetProperty("prompt_id").GetString()!;
            foreach (var step in prompt.GetProperty("steps").EnumerateArray())
            {
                var mine = graded.Where(g => g.Prompt == id && g.Step == step.GetProperty("step").GetInt64()).ToList();
                var rewards = mine.Select(g => g.Graded.Result.Reward).OfType<double>().ToList();
                Assert.Equal(mine.Count, step.GetProperty("items").GetInt32());
                Assert.Equal(rewards.Average(), step.GetProperty("mean_reward").GetDouble(), 12);
                var mean = rewards.Average();
                Assert.Equal(Math.Sqrt(rewards.Sum(r => (r - mean) * (r - mean)) / rewards.Count), step.GetProperty("reward_std").GetDouble(), 9);
                Assert.Equal(mine.Average(g => g.Length), step.GetProperty("mean_length").GetDouble(), 9);
                foreach (var rate in step.GetProperty("pass_rates").EnumerateObject())
                {
                    var assessed = mine.Select(g => g.Graded.Row.Verdicts[rate.Name].Status).Where(s => s != VerdictStatus.CannotAssess).ToList();
                    Assert.Equal((double)assessed.Count(s => s == VerdictStatus.Met) / assessed.Count, rate.Value.GetDouble(), 12);
                }
            }
            var firstLength = graded.Where(g => g.Prompt == id && g.Step == 1).Average(g => g.Length);
            var lastLength = graded.Where(g => g.Prompt == id && g.Step == 2).Average(g => g.Length);
            Assert.Equal(lastLength / firstLength, prompt.GetProperty("length_drift").GetDouble(), 9);
        }
    }

    [Fact]
    public async Task ReplicasTables_RenderedReadBackAndMerged_AreTheTableOfEveryItem()
    {
        var graded = await GradedAsync();
        var whole = new MonitorTable();
        var replicas = new[] { new MonitorTable(), new MonitorTable(), new MonitorTable() };
        var random = new Random(5);
        foreach (var g in graded)
        {
            whole.Record(g.Prompt, MonitorStepKey.Step(g.Step), g.Graded, g.Length);
            replicas[random.Next(replicas.Length)].Record(g.Prompt, MonitorStepKey.Step(g.Step), g.Graded, g.Length);
        }
        // Two read back from their JSON (as from a replica's /v1/monitor), one as it is.
        var merged = MonitorTable.Merge([MonitorTable.Parse(replicas[0].Render(), "a"), MonitorTable.Parse(replicas[1].Render(), "b"), replicas[2]]);
        JsonClose.Equal(JsonDocument.Parse(whole.Render()).RootElement, JsonDocument.Parse(merged.Render()).RootElement);
        Assert.Equal(whole.SaturatedCriteria(), merged.SaturatedCriteria());
        // A single replica's table is not the whole (the test can tell them apart).
        Assert.NotEqual(whole.Steps(World.Tasks[0].Id)[0].Step.Items, replicas[0].Steps(World.Tasks[0].Id) is { Count: > 0 } share ? share[0].Step.Items : 0);
    }

    [Fact]
    public async Task SaturationOverReplicas_IsDecidedOnTheMergedStep_NotOnEachShare()
    {
        // Each replica sees 4 rollouts of a step that all pass a criterion: too few alone (8 needed), saturated together.
        var graded = (await GradedAsync()).First();
        var met = graded.Graded.Row.Verdicts.Where(v => v.Value.Status == VerdictStatus.Met).Select(v => v.Key).Order(StringComparer.Ordinal).ToList();
        Assert.NotEmpty(met);
        var a = new MonitorTable();
        var b = new MonitorTable();
        for (var i = 0; i < 4; i++)
        {
            a.Record("p", MonitorStepKey.Step(7), graded.Graded, 10);
            b.Record("p", MonitorStepKey.Step(7), graded.Graded, 10);
        }
        Assert.Equal(0, a.SaturatedCriteria());
        var merged = MonitorTable.Merge([a, b]);
        var saturated = JsonDocument.Parse(merged.Render()).RootElement.GetProperty("prompts")[0].GetProperty("saturated").EnumerateArray().Select(e =>
            e.GetString()!).ToList();
        Assert.Equal(met, saturated);
    }

    [Fact]
    public async Task StepLessItems_FallInMinutesOfTheClock_SoReplicasStartedApartShareWindows()
    {
        var graded = (await GradedAsync()).First();
        var noon = new DateTimeOffset(2026, 12, 2, 12, 0, 0, TimeSpan.Zero);
        // One replica started at 11:58:30, the other at 12:00:10; both grade during the minute 12:00.
        var earlyClock = new FakeTimeProvider(noon.AddSeconds(-90));
        var early = new RewardMonitor(earlyClock);
        var lateClock = new FakeTimeProvider(noon.AddSeconds(10));
        var late = new RewardMonitor(lateClock);
        earlyClock.Advance(TimeSpan.FromSeconds(110));
        early.Record("p", early.KeyFor(null), graded.Graded, 5);
        late.Record("p", late.KeyFor(null), graded.Graded, 5);
        lateClock.Advance(TimeSpan.FromSeconds(60));
        late.Record("p", late.KeyFor(null), graded.Graded, 5);
        var merged = MonitorTable.Merge([early.Snapshot(), late.Snapshot()]);
        var steps = merged.Steps("p");
        Assert.Equal([2, 1], steps.Select(s => s.Step.Items));
        Assert.Equal(noon, steps[0].Key.WindowStart);
        var json = JsonDocument.Parse(merged.Render()).RootElement.GetProperty("prompts")[0].GetProperty("steps")[0];
        Assert.Equal("2026-12-02T12:00:00Z", json.GetProperty("window_start").GetString());
        Assert.False(json.TryGetProperty("step", out _));
    }

    [Fact]
    public void AMonitorWithoutCounts_OrWithBadCounts_IsRefusedWithTheFieldNamed()
    {
        var old = """{"prompts":[{"prompt_id":"p","steps":[{"step":1,"items":3,"mean_reward":0.5,"pass_rates":{}}],"saturated":[],"length_drift":1}]}""";
        var ex = Assert.Throws<InputException>(() => MonitorTable.Parse(old, "http://r1/v1/monitor"));
        var issue = Assert.Single(ex.Issues);
        Assert.Equal("http://r1/v1/monitor", issue.File);
        Assert.Equal("prompts[0].steps[0].counts", issue.Field);
        var bad = """
            {"prompts":[{"prompt_id":"p","steps":[{"step":1,"items":-3,"counts":{"scored":1,"reward_sum":1,"reward_squares":1,"length_sum":4,"vetoes":0,"injections":0,
             "criteria":{"c1":[3,2]}}}]}]}
            """;
        ex = Assert.Throws<InputException>(() => MonitorTable.Parse(bad, "r2"));
        Assert.Equal(["prompts[0].steps[0].items", "prompts[0].steps[0].counts.criteria.c1"], ex.Issues.Select(i => i.Field));
    }
}
