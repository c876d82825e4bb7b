using Tailmark.Judging;

namespace Tailmark.Grading;

/// <summary>
/// What became of one <see cref="GradeItem"/>: its graded response (whose reward may still be undefined), or the error
/// that kept it from being graded (the rest of the batch is graded all the same).
/// </summary>
public sealed record GradeOutcome(GradeItem Item, GradedResponse? Graded, string? Error)
{
    public double? Reward => Graded?.Result.Reward;

    /// <summary>
    /// The graded response, for callers that need every item (an evaluation, a refinement round): a failed grading is
    /// a fault in Tailmark itself (judge failures are CannotAssess verdicts), so it stops them with its message.
    /// </summary>
    public GradedResponse GradedOrThrow() =>
        Graded ?? throw new InvalidOperationException($"response {Item.Response.ResponseId} of prompt {Item.Response.PromptId}: {Error}");
}
