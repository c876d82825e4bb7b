using Tailmark.Rubrics.Builtin;
using Tailmark.Rubrics;
using Tailmark.Scoring;
using static Tailmark.Tests.Support.RubricBuilder;

namespace Tailmark.Tests.Rubrics;

public sealed class RubricComposerTests
{
    private static Rubric Shared(string id, RubricLevel level, RubricScope scope, params Criterion[] criteria) =>
        new() { Id = id, Level = level, Scope = scope, Criteria = [.. criteria] };

    [Fact]
    public void Compose_TaskAndDataset_AppendsInPrecedenceOrder()
    {
        var instance = R(C("a", 1));
        var dataset = Shared("ds", RubricLevel.Dataset, RubricScope.Everything, C("d", 1));
        var task = Shared("tk", RubricLevel.Task, new RubricScope("writing", []), C("t", 1));
        var composed = RubricComposer.Compose(instance, [dataset, task], task: "writing");
        Assert.Equal(["a", "t", "d"], composed.Rubric.Criteria.Select(c => c.Id));
        Assert.Equal(["r1", "tk", "ds"], composed.Layers.ToArray());
        Assert.Empty(composed.Notes);
    }

    [Fact]
    public void Compose_ScopeByTaskOrTags_SelectsOnlyMatchingRubrics()
    {
        var instance = R(C("a", 1));
        var otherTask = Shared("tk", RubricLevel.Task, new RubricScope("math", []), C("t", 1));
        var tagged = Shared("tg", RubricLevel.Dataset, new RubricScope(null, ["health"]), C("h", 1));
        Assert.Equal(["a"], RubricComposer.Compose(instance, [otherTask, tagged], "writing", ["finance"]).Rubric.Criteria.Select(c => c.Id));
        Assert.Equal(["a", "h"], RubricComposer.Compose(instance, [otherTask, tagged], "writing", ["health"]).Rubric.Criteria.Select(c => c.Id));
    }

    [Fact]
    public void Compose_IdClash_MoreSpecificLevelWinsAndIsNoted()
    {
        var instance = R(C("shared", 5));
        var task = Shared("tk", RubricLevel.Task, RubricScope.Everything, C("shared", 1), C("x", 1));
        var dataset = Shared("ds", RubricLevel.Dataset, RubricScope.Everything, C("x", 2));
        var composed = RubricComposer.Compose(instance, [dataset, task]);
        Assert.Equal([5.0, 1.0], composed.Rubric.Criteria.Select(c => c.Weight));
        Assert.Collection(composed.Notes,
            n => Assert.Equal(("shared", "r1", "tk"), (n.CriterionId, n.KeptFrom, n.DroppedFrom)),
            n => Assert.Equal(("x", "tk", "ds"), (n.CriterionId, n.KeptFrom, n.DroppedFrom)));
    }

    [Fact]
    public void Defense_VetoMode_ZeroesRewardOfPraisingResponse()
    {
        var defense = BuiltinRubrics.Defense(DefenseMode.Veto);
        Assert.Equal(RubricLevel.Dataset, defense.Level);
        Assert.All(defense.Criteria, c => Assert.True(c.Veto && c.Weight < 0));
        Assert.Contains(defense.Criteria, c => c.Check is { Type: "regex_match" });
        var composed = RubricComposer.Compose(R(C("a", 1)), [defense]).Rubric;
        var verdicts = composed.Criteria.ToDictionary(c => c.Id, c =>
            c.Id == "defense.prefatory_praise" ? Verdict.Met : c.Id == "a" ? Verdict.Met : Verdict.NotMet);
        var result = new RewardPipeline(ScoringConfigLoader.Preset("default")).Score(composed, verdicts);
        Assert.Equal(0, result.Reward);
        Assert.Equal("defense.prefatory_praise", result.Breakdown.VetoedBy);
    }

    [Fact]
    public void Defense_PenaltyMode_SubtractsWeight()
    {
        var composed = RubricComposer.Compose(R(C("a", 4)), [BuiltinRubrics.Defense(DefenseMode.Penalty)]).Rubric;
        var verdicts = composed.Criteria.ToDictionary(c => c.Id, c => c.Id is "a" or "defense.self_praise" ? Verdict.Met : Verdict.NotMet);
        // (4 − 2) / 4 = 0.5
        Assert.Equal(0.5, new RewardPipeline(ScoringConfigLoader.Preset("default")).Score(composed, verdicts).Reward);
    }

    [Fact]
    public void PromptKey_SameTextDifferentSpacing_SameHash()
    {
        var a = PromptKey.Hash(PromptContent.FromText("What is  RSI?\n"));
        var b = PromptKey.Hash(PromptContent.FromMessages([new PromptMessage("user", " What is RSI? ")]));
        var c = PromptKey.Hash(PromptContent.FromText("What is MACD?"));
        Assert.Equal(a, b);
        Assert.NotEqual(a, c);
        Assert.Equal("user: What is RSI?", PromptKey.Normalize(PromptContent.FromText("What is  RSI?\n")));
    }
}
