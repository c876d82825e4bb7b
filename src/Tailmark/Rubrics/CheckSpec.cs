using System.Collections.Immutable;
using System.Text.Json;

namespace Tailmark.Rubrics;

/// <summary>
/// The programmatic check of a verifiable criterion: a check type (an IFEval instruction id such as
/// <c>length_constraints:number_words</c> or a generic check such as <c>regex_match</c>) and its parameters,
/// kept as raw JSON so that every check can read the parameter types it needs.
/// </summary>
public sealed record CheckSpec(string Type, ImmutableSortedDictionary<string, JsonElement> Parameters)
{
    public bool Equals(CheckSpec? other) =>
        other is not null && Type == other.Type && JsonMaps.Equal(Parameters, other.Parameters);

    public override int GetHashCode() => Type.GetHashCode(StringComparison.Ordinal);
}
