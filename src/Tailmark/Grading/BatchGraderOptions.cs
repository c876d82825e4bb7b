namespace Tailmark.Grading;

/// <summary>How a <see cref="BatchGrader"/> works through its items.</summary>
public sealed record BatchGraderOptions
{
    /// <summary>Responses graded at once, over every batch the grader runs.</summary>
    public int Concurrency { get; init; } = 16;

    /// <summary>
    /// Identical items in flight at the same time (the same composed rubric, conversation and response) share one
    /// grading, whose graded response (row ids included) they all get back. For the reward server, where GRPO groups
    /// repeat a response verbatim and the row ids are not shown.
    /// </summary>
    public bool Coalesce { get; init; }

    /// <summary>The clock deadlines are measured on.</summary>
    public TimeProvider Time { get; init; } = TimeProvider.System;

    public BatchGraderOptions Validated()
    {
        if (Concurrency < 1) throw new ArgumentOutOfRangeException(nameof(Concurrency), Concurrency, "at least 1");
        return this;
    }
}
