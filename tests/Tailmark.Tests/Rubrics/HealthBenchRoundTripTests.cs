using System.Text.Json;
using Tailmark.Rubrics;
using Tailmark.Rubrics.Formats;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Rubrics;

public sealed class HealthBenchRoundTripTests
{
    [Fact]
    public async Task RoundTrip_SharedExamples_GivesEqualJsonObjects()
    {
        using var dir = new TempDir();
        var native = dir.File("native.jsonl");
        var back = dir.File("back.jsonl");
        await new TailmarkFormat().WriteAsync(Rubrics(new HealthBenchFormat(), TestPaths.HealthBench), native);
        await new HealthBenchFormat().WriteAsync(Rubrics(new TailmarkFormat(), native), back);

        var original = File.ReadAllLines(TestPaths.HealthBench).Where(l => l.Length > 0).ToArray();
        var roundTripped = File.ReadAllLines(back).Where(l => l.Length > 0).ToArray();
        Assert.Equal(30, original.Length);
        Assert.Equal(original.Length, roundTripped.Length);
        for (var i = 0; i < original.Length; i++)
        {
            using var a = JsonDocument.Parse(original[i]);
            using var b = JsonDocument.Parse(roundTripped[i]);
            Assert.True(JsonElement.DeepEquals(a.RootElement, b.RootElement), $"example {i + 1} differs after the round trip");
        }
    }

    [Fact]
    public async Task Import_SharedExamples_KeepsPointsTagsAndCounts()
    {
        var rubrics = new List<Rubric>();
        await foreach (var r in Rubrics(new HealthBenchFormat(), TestPaths.HealthBench)) rubrics.Add(r);
        // The data README: 30 examples, 352 criteria, 102 with negative points.
        Assert.Equal(30, rubrics.Count);
        Assert.Equal(352, rubrics.Sum(r => r.Criteria.Length));
        Assert.Equal(102, rubrics.Sum(r => r.Criteria.Count(c => c.Weight < 0)));
        Assert.All(rubrics.SelectMany(r => r.Criteria).Where(c => c.Weight < 0), c => Assert.Equal(CriterionCategory.Pitfall, c.Category));
        var first = rubrics[0];
        Assert.Equal("1f548d5b-cd00-49a0-b327-283a2e00debd", first.PromptId);
        Assert.Equal(10, first.Criteria[0].Weight);
        Assert.Equal(["level:example", "axis:completeness"], first.Criteria[0].Tags.ToArray());
    }

    [Fact]
    public async Task NativeYamlNative_SharedExamples_AreEqualRubrics()
    {
        using var dir = new TempDir();
        var original = new List<Rubric>();
        await foreach (var r in Rubrics(new HealthBenchFormat(), TestPaths.HealthBench)) original.Add(r);
        await new YamlFormat().WriteAsync(original.ToAsyncEnumerable(), dir.File("r.yaml"));
        var back = new List<Rubric>();
        await foreach (var r in Rubrics(new YamlFormat(), dir.File("r.yaml"))) back.Add(r);
        Assert.Equal(original, back);
    }

    private static async IAsyncEnumerable<Rubric> Rubrics(IRubricFormat format, string path)
    {
        await foreach (var row in format.ReadAsync(path))
        {
            Assert.False(row.HasErrors, string.Join("\n", row.Issues));
            yield return row.Rubric!;
        }
    }
}
