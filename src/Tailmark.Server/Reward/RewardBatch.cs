namespace Tailmark.Server.Reward;

/// <summary>The answers to one request, in item order.</summary>
public sealed record RewardBatch(IReadOnlyList<ItemResult> Results)
{
    /// <summary>A request with items none of which found a rubric: the sign of a misconfiguration (ids or templates).</summary>
    public bool NothingFound => Results.Count > 0 && Results.All(r => !r.RubricFound);

    public int Ungraded => Results.Count(r => !r.IsGraded);
}
