using System.Collections.Immutable;
using System.Text.Json;
using Tailmark.Io;
using Tailmark.Rubrics;

namespace Tailmark.Grading;

/// <summary>
/// What a prompt is, for layering: its task and its tags. The one rule every front applies: a row's own <c>task</c> and
/// <c>tags</c> fields (a response, verdicts or pair row, a reward item) when it has them, each falling back to the
/// prompt's instance rubric, whose <c>applies_to</c> names its prompt's task and tags.
/// </summary>
public sealed record PromptTraits(string? Task, ImmutableArray<string>? Tags)
{
    /// <summary>A row that says nothing: the rubric's own traits apply.</summary>
    public static readonly PromptTraits None = new(null, null);

    /// <summary>
    /// The <c>task</c> and <c>tags</c> fields among a row's pass-through fields. A field of the wrong type is logged
    /// to <paramref name="log"/> as an error naming it; without a log it is left out.
    /// </summary>
    public static PromptTraits Of(IReadOnlyDictionary<string, JsonElement> fields, IssueLog? log = null)
    {
        var (task, tags) = TraitFields.Read(fields, log);
        return new PromptTraits(task, tags);
    }

    /// <summary>These traits, each completed from the instance rubric's <c>applies_to</c> where the row says nothing.</summary>
    public (string? Task, ImmutableArray<string> Tags) Over(Rubric instance) =>
        (Task ?? instance.Scope.Task, Tags ?? (instance.Scope.Tags.IsDefault ? [] : instance.Scope.Tags));

    public bool Equals(PromptTraits? other) =>
        other is not null && Task == other.Task && Tags.HasValue == other.Tags.HasValue && (Tags is null || Tags.Value.SequenceEqual(other.Tags!.Value));

    public override int GetHashCode() => HashCode.Combine(Task, Tags?.Length);
}
