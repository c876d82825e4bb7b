using System.Collections.Immutable;
using System.Text.Json;

namespace Tailmark.Rubrics;

/// <summary>
/// A rubric: the criteria a response to one prompt (instance level) or to many prompts (task and dataset
/// level) is graded against. Immutable; a refinement produces a new rubric with a higher <see cref="Version"/>.
/// </summary>
public sealed record Rubric
{
    /// <summary>The schema version this build writes.</summary>
    public const int CurrentSchemaVersion = 1;

    public required string Id { get; init; }
    public string? PromptId { get; init; }
    public RubricLevel Level { get; init; } = RubricLevel.Instance;
    public PromptContent? Prompt { get; init; }

    /// <summary>For task and dataset rubrics: which prompts they apply to.</summary>
    public RubricScope Scope { get; init; } = RubricScope.Everything;

    public ImmutableArray<Criterion> Criteria { get; init; } = [];
    public ImmutableSortedDictionary<string, JsonElement> Metadata { get; init; } = JsonMaps.Empty;
    public int Version { get; init; } = 1;
    public int SchemaVersion { get; init; } = CurrentSchemaVersion;

    /// <summary>This rubric's own CannotAssess policy, overriding the scoring configuration's; null when unset.</summary>
    public string? CannotAssess { get; init; }

    /// <summary>Fields this version of Tailmark does not know; kept and written back unchanged.</summary>
    public ImmutableSortedDictionary<string, JsonElement> Extra { get; init; } = JsonMaps.Empty;

    public Criterion? Find(string criterionId) => Criteria.FirstOrDefault(c => c.Id == criterionId);

    public bool Equals(Rubric? other) =>
        other is not null && Id == other.Id && PromptId == other.PromptId && Level == other.Level &&
        Equals(Prompt, other.Prompt) && Equals(Scope, other.Scope) && Criteria.SequenceEqual(other.Criteria) &&
        JsonMaps.Equal(Metadata, other.Metadata) && Version == other.Version &&
        SchemaVersion == other.SchemaVersion && CannotAssess == other.CannotAssess &&
        JsonMaps.Equal(Extra, other.Extra);

    public override int GetHashCode() => HashCode.Combine(Id, PromptId, Criteria.Length);
}
