using System.Collections.Immutable;
using Tailmark.Judging;

namespace Tailmark.Server.Reward;

/// <summary>
/// The answer for one item: the graded response (its reward may still be null: then <see cref="Ungraded"/> is
/// <see cref="UngradedKind.Undefined"/>), or why it was not graded. <see cref="RubricFound"/> says whether a rubric was
/// found, which the no-rubric warnings count.
/// </summary>
public sealed record ItemResult(GradedResponse? Graded, UngradedKind? Ungraded, string? Reason, string? FoundBy, ImmutableArray<string> Notes)
{
    /// <summary>What the reward was computed with, for every item that was graded (also when its reward is undefined).</summary>
    public RewardProvenance? Provenance { get; init; }

    public double? Reward => Graded?.Result.Reward;

    public bool IsGraded => Reward is not null;

    public bool RubricFound => Ungraded is not (UngradedKind.NoRubric or UngradedKind.Unreadable);

    public bool DeadlineExceeded => Ungraded is UngradedKind.Deadline or UngradedKind.Stopping;

    public static ItemResult NotGraded(UngradedKind kind, string reason, ImmutableArray<string> notes, string? foundBy = null) =>
        new(null, kind, reason, foundBy, notes);
}
