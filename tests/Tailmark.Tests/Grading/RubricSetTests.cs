using System.Collections.Immutable;
using System.Text.Json;
using Tailmark.Grading;
using Tailmark.Io;
using Tailmark.Rubrics;
using Tailmark.Rubrics.Builtin;
using static Tailmark.Tests.Support.RubricBuilder;

namespace Tailmark.Tests.Grading;

/// <summary>The one layering rule: by the row's task and tags, else the instance rubric's <c>applies_to</c>.</summary>
[Trait("Tier", "Fast")]
public sealed class RubricSetTests
{
    private static Rubric Layer(string id, RubricLevel level, RubricScope scope, string criterion) =>
        new() { Id = id, Level = level, Scope = scope, Criteria = [C(criterion, 1)] };

    private static readonly Rubric Writing = Layer("writing", RubricLevel.Task, new RubricScope("writing", []), "w");
    private static readonly Rubric Formal = Layer("formal", RubricLevel.Dataset, new RubricScope(null, ["formal"]), "f");
    private static readonly Rubric Everywhere = Layer("all", RubricLevel.Dataset, RubricScope.Everything, "e");

    private static ResponseRow Row(string prompt, string? task = null, params string[] tags)
    {
        var extra = JsonMaps.Empty;
        if (task is not null) extra = extra.SetItem("task", JsonSerializer.SerializeToElement(task, TailmarkJsonContext.Default.String));
        if (tags.Length > 0) extra = extra.SetItem("tags", JsonDocument.Parse("[" + string.Join(",", tags.Select(t => $"\"{t}\"")) + "]").RootElement.Clone());
        return new ResponseRow(prompt, "r", "text", null, extra);
    }

    private static string[] Criteria(GradeItem item) => [.. item.Rubric.Criteria.Select(c => c.Id)];

    [Fact]
    public void Layers_FollowTheRowsTaskAndTags_ThenTheRubricsOwnAppliesTo()
    {
        var plain = R(C("a", 1)) with { Id = "p1", PromptId = "p1" };
        var ownTask = R(C("a", 1)) with { Id = "p2", PromptId = "p2", Scope = new RubricScope("writing", ["formal"]) };
        var set = new RubricSet([plain, ownTask, Writing, Formal, Everywhere]);
        Assert.Equal(["a", "e"], Criteria(set.ItemFor(Row("p1"))!));
        Assert.Equal(["a", "w", "e"], Criteria(set.ItemFor(Row("p1", "writing"))!));
        Assert.Equal(["a", "f", "e"], Criteria(set.ItemFor(Row("p1", null, "formal", "x"))!));
        // The rubric names its prompt's task and tags; a row's own fields win, each on its own.
        Assert.Equal(["a", "w", "f", "e"], Criteria(set.ItemFor(Row("p2"))!));
        Assert.Equal(["a", "f", "e"], Criteria(set.ItemFor(Row("p2", "math"))!));
        Assert.Equal(["a", "w", "e"], Criteria(set.ItemFor(Row("p2", null, "casual"))!));
        Assert.Null(set.ItemFor(Row("p3")));
    }

    [Fact]
    public void Compositions_AreMadeOnce_PerRubricAndTraits_AndExtraLayersComeLast()
    {
        var plain = R(C("a", 1)) with { Id = "p1", PromptId = "p1" };
        var defense = BuiltinRubrics.Defense(DefenseMode.Veto);
        var set = new RubricSet([plain, Everywhere], [defense]);
        Assert.Same(set.ItemFor(Row("p1"))!.Rubric, set.ItemFor(Row("p1"))!.Rubric);
        Assert.NotSame(set.ItemFor(Row("p1"))!.Rubric, set.ItemFor(Row("p1", "writing"))!.Rubric);
        Assert.Equal(["a", "e", .. defense.Criteria.Select(c => c.Id)], Criteria(set.ItemFor(Row("p1"))!));
        Assert.Equal([Everywhere, defense], set.Layers);
    }

    [Fact]
    public void ThePromptsFirstInstanceRubric_IsItsRubric()
    {
        var first = R(C("a", 1)) with { Id = "one", PromptId = "p" };
        var second = R(C("b", 1)) with { Id = "two", PromptId = "p" };
        var set = new RubricSet([first, second]);
        Assert.Same(first, set.ForPrompt("p"));
        Assert.Equal(2, set.Instances.Count);
    }

    [Fact]
    public void ARowsTaskOrTagsOfTheWrongType_IsALocatedError()
    {
        var log = new IssueLog("responses.jsonl", 3);
        var row = ResponseRow.Read(JsonDocument.Parse("""{"prompt_id": "p", "response_id": "r", "response": "x", "task": 4, "tags": "formal"}""").RootElement, log);
        Assert.NotNull(row);
        Assert.Equal([("task", "expected a string, found the number 4"), ("tags", "expected a list of strings, found the string \"formal\"")],
            log.Issues.Select(i => (i.Field, i.Message)));
        Assert.All(log.Issues, i => Assert.Equal(3, i.Line));
        Assert.Equal(PromptTraits.None, PromptTraits.Of(ImmutableSortedDictionary<string, JsonElement>.Empty));
    }
}
