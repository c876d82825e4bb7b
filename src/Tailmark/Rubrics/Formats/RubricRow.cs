using Tailmark.Io;

namespace Tailmark.Rubrics.Formats;

/// <summary>One rubric read from a file (null when the row could not be read at all) and the issues of its row.</summary>
public sealed record RubricRow(Rubric? Rubric, IReadOnlyList<InputIssue> Issues, int? Line = null)
{
    public bool HasErrors => Rubric is null || Issues.Any(i => i.IsError);
}
