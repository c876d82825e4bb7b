using Tailmark.Io;
using Tailmark.Rubrics;

namespace Tailmark.Grading;

/// <summary>
/// One response to grade: the rubric it is graded against (its instance rubric with the layers that apply, as
/// <see cref="RubricSet"/> composes it), the conversation the judge is shown, and the response row. <see cref="State"/>
/// is the caller's own (a line number, a pair index) and comes back on the outcome.
/// </summary>
public sealed record GradeItem(Rubric Rubric, string Conversation, ResponseRow Response)
{
    public object? State { get; init; }
}
