using System.Collections.Immutable;
using System.Text.Json;

namespace Tailmark.Rubrics;

/// <summary>
/// One rubric criterion. Weights are signed: a positive criterion earns its weight when met; a negative one
/// (a pitfall) subtracts when met, i.e. when the undesirable behaviour happened. A criterion with a
/// <see cref="Check"/> is verifiable by a program; otherwise an LLM judges it.
/// </summary>
public sealed record Criterion
{
    public required string Id { get; init; }
    public required string Text { get; init; }
    public double Weight { get; init; } = 1;
    public CriterionCategory? Category { get; init; }
    public ImmutableArray<string> Tags { get; init; } = [];

    /// <summary>Null for a binary criterion; ordered levels for an ordinal one.</summary>
    public CriterionScale? Scale { get; init; }

    /// <summary>Null for a judged criterion; the check for a verifiable one.</summary>
    public CheckSpec? Check { get; init; }

    /// <summary>When true, violating this criterion sets the whole reward to the veto value.</summary>
    public bool Veto { get; init; }

    /// <summary>Fields this version of Tailmark does not know; kept and written back unchanged.</summary>
    public ImmutableSortedDictionary<string, JsonElement> Extra { get; init; } = JsonMaps.Empty;

    public bool IsVerifiable => Check is not null;

    public bool IsOrdinal => Scale is not null;

    public bool Equals(Criterion? other) =>
        other is not null && Id == other.Id && Text == other.Text && Weight.Equals(other.Weight) &&
        Category == other.Category && Tags.SequenceEqual(other.Tags) && Equals(Scale, other.Scale) &&
        Equals(Check, other.Check) && Veto == other.Veto && JsonMaps.Equal(Extra, other.Extra);

    public override int GetHashCode() => HashCode.Combine(Id, Text, Weight);
}
