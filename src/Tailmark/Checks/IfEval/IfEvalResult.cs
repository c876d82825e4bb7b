using System.Collections.Immutable;

namespace Tailmark.Checks.IfEval;

/// <summary>The verdicts on one prompt's instructions in one mode (strict or loose).</summary>
public sealed record IfEvalResult(IfEvalItem Item, string Response, ImmutableArray<bool> Followed)
{
    public bool FollowedAll => Followed.All(f => f);
}
