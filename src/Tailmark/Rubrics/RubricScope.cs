using System.Collections.Immutable;

namespace Tailmark.Rubrics;

/// <summary>
/// Which prompts a task- or dataset-level rubric applies to: a task name, and/or tags of which the prompt must
/// carry at least one. An empty scope on a dataset rubric applies to every prompt.
/// </summary>
public sealed record RubricScope(string? Task, ImmutableArray<string> Tags)
{
    public static readonly RubricScope Everything = new(null, []);

    public bool IsEmpty => Task is null && Tags.IsDefaultOrEmpty;

    public bool Equals(RubricScope? other) =>
        other is not null && Task == other.Task && Tags.SequenceEqual(other.Tags);

    public override int GetHashCode() => Task?.GetHashCode(StringComparison.Ordinal) ?? 0;
}
