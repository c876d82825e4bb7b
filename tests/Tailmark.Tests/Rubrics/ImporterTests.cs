using Tailmark.Rubrics;
using Tailmark.Rubrics.Formats;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Rubrics;

public sealed class ImporterTests
{
    [Fact]
    public async Task Ctt_Import_ReadsCriteriaWeightsAndChecksCounts()
    {
        using var dir = new TempDir();
        var path = dir.Write("ctt.jsonl",
            """{"id": "q1", "prompt": "Explain RSI.", "rubrics": [{"criterion": "Defines RSI", "weight": 3}, {"criterion": "Gives the 70/30 levels", "weight": 2}], "number_of_criteria": 2, "total_weight": 6}""" + "\n");
        var rows = await Read(new CttFormat(), path);
        var rubric = Assert.Single(rows).Rubric!;
        Assert.Equal("q1", rubric.PromptId);
        Assert.Equal("Explain RSI.", rubric.Prompt!.Text);
        Assert.Equal([3.0, 2.0], rubric.Criteria.Select(c => c.Weight));
        // total_weight says 6 but the criteria sum to 5: a located warning, not an error.
        var warning = Assert.Single(rows[0].Issues);
        Assert.Equal("total_weight", warning.Field);
        Assert.Equal(1, warning.Line);
        Assert.False(warning.IsError);
    }

    [Fact]
    public async Task Ctt_RoundTrip_RecomputesCounts()
    {
        using var dir = new TempDir();
        var path = dir.Write("ctt.jsonl", """{"id": "q1", "prompt": "P", "rubrics": [{"criterion": "A", "weight": 1}, {"criterion": "B", "weight": 3}], "number_of_criteria": 2, "total_weight": 4}""" + "\n");
        var rubric = (await Read(new CttFormat(), path))[0].Rubric!;
        await new CttFormat().WriteAsync(new[] { rubric }.ToAsyncEnumerable(), dir.File("out.jsonl"));
        var line = File.ReadAllText(dir.File("out.jsonl")).Trim();
        Assert.Equal("""{"id":"q1","prompt":"P","rubrics":[{"criterion":"A","weight":1},{"criterion":"B","weight":3}],"number_of_criteria":2,"total_weight":4}""", line);
    }

    [Fact]
    public async Task Rar_Import_ReadsCategoryFromDescriptionPrefix()
    {
        using var dir = new TempDir();
        var path = dir.Write("rar.jsonl",
            """{"question": "Q?", "rubric": [{"title": "Dose", "description": "Essential Criteria: States the adult dose.", "weight": 5}, {"title": "Scare", "description": "Pitfall Criteria: Uses alarmist language.", "weight": -2}, {"title": "Plain", "description": "Mentions a source.", "weight": 1}]}""" + "\n");
        var rubric = (await Read(new RarFormat(), path))[0].Rubric!;
        Assert.Equal(CriterionCategory.Essential, rubric.Criteria[0].Category);
        Assert.Equal("States the adult dose.", rubric.Criteria[0].Text);
        Assert.Equal(CriterionCategory.Pitfall, rubric.Criteria[1].Category);
        Assert.Equal(-2, rubric.Criteria[1].Weight);
        Assert.Null(rubric.Criteria[2].Category);
        Assert.StartsWith("p-", rubric.PromptId);
    }

    [Fact]
    public async Task Rar_RoundTrip_RestoresPrefixAndTitle()
    {
        using var dir = new TempDir();
        var line = """{"question":"Q?","rubric":[{"title":"Dose","description":"Essential Criteria: States the adult dose.","weight":5}],"rubric_count":1}""";
        var path = dir.Write("rar.jsonl", line + "\n");
        var rubric = (await Read(new RarFormat(), path))[0].Rubric!;
        await new RarFormat().WriteAsync(new[] { rubric }.ToAsyncEnumerable(), dir.File("out.jsonl"));
        using var a = System.Text.Json.JsonDocument.Parse(line);
        using var b = System.Text.Json.JsonDocument.Parse(File.ReadAllText(dir.File("out.jsonl")));
        // The writer adds the id it derived; everything else comes back as it was.
        var written = b.RootElement;
        Assert.Equal(rubric.PromptId, written.GetProperty("id").GetString());
        foreach (var p in a.RootElement.EnumerateObject())
        {
            Assert.True(System.Text.Json.JsonElement.DeepEquals(p.Value, written.GetProperty(p.Name)), p.Name);
        }
    }

    [Fact]
    public async Task Plain_TextFile_IsOneRubricWithUnitWeights()
    {
        using var dir = new TempDir();
        var path = dir.Write("my-rubric.txt", "Names the capital\n\n  Gives the population  \n");
        var rubric = Assert.Single(await Read(new PlainFormat(), path)).Rubric!;
        Assert.Equal("my-rubric", rubric.Id);
        Assert.Equal(["Names the capital", "Gives the population"], rubric.Criteria.Select(c => c.Text));
        Assert.All(rubric.Criteria, c => Assert.Equal(1, c.Weight));
    }

    [Fact]
    public async Task Plain_JsonlArrays_AreOneRubricPerLine()
    {
        using var dir = new TempDir();
        var path = dir.Write("lists.jsonl", "[\"A\", \"B\"]\n{\"prompt_id\": \"x\", \"criteria\": [\"C\"]}\n[\"D\", 3]\n");
        var rows = await Read(new PlainFormat(), path);
        Assert.Equal(3, rows.Count);
        Assert.Equal(2, rows[0].Rubric!.Criteria.Length);
        Assert.Equal("x", rows[1].Rubric!.Id);
        var error = Assert.Single(rows[2].Issues, i => i.IsError);
        Assert.Equal(3, error.Line);
        Assert.Equal("[1]", error.Field);
    }

    private static async Task<List<RubricRow>> Read(IRubricFormat format, string path)
    {
        var rows = new List<RubricRow>();
        await foreach (var row in format.ReadAsync(path)) rows.Add(row);
        return rows;
    }
}
