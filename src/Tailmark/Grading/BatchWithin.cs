namespace Tailmark.Grading;

/// <summary>
/// A batch graded within a deadline (<see cref="BatchGrader.GradeWithinAsync"/>): each item's outcome, null for one
/// not finished (or skipped), and how the batch ended.
/// </summary>
public sealed record BatchWithin(IReadOnlyList<GradeOutcome?> Outcomes, BatchEnd Ending);

/// <summary>Whether a batch finished, ran out of time, or was stopped (the server's drain ran out).</summary>
public enum BatchEnd
{
    Finished,
    Deadline,
    Stopped,
}
