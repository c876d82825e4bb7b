namespace Tailmark.Rubrics;

/// <summary>The granularity a rubric applies at (Rubicon's three levels).</summary>
public enum RubricLevel
{
    /// <summary>Belongs to one prompt.</summary>
    Instance,
    /// <summary>Applies to every prompt of a task (selected by task name or tags).</summary>
    Task,
    /// <summary>Applies to every prompt of a data set (optionally narrowed by tags).</summary>
    Dataset,
}
