using Tailmark.Rubrics;
using Tailmark.Scoring;

namespace Tailmark.Tests.Support;

/// <summary>Small helpers to build rubrics and verdict maps by hand in tests.</summary>
public static class RubricBuilder
{
    public static Criterion C(string id, double weight, bool veto = false, CriterionCategory? category = null, CriterionScale? scale = null) =>
        new() { Id = id, Text = $"criterion {id}", Weight = weight, Veto = veto, Category = category, Scale = scale };

    public static Rubric R(params Criterion[] criteria) => new() { Id = "r1", PromptId = "p1", Criteria = [.. criteria] };

    public static Dictionary<string, Verdict> V(params (string Id, Verdict Verdict)[] verdicts) =>
        verdicts.ToDictionary(v => v.Id, v => v.Verdict);

    public static readonly Verdict Met = Verdict.Met;
    public static readonly Verdict NotMet = Verdict.NotMet;
    public static readonly Verdict Unknown = Verdict.CannotAssess("judge error: timeout");
}
