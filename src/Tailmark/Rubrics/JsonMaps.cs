using System.Collections.Immutable;
using System.Text.Json;

namespace Tailmark.Rubrics;

/// <summary>Structural equality for the free-form JSON maps that rubrics carry (metadata, extra fields).</summary>
public static class JsonMaps
{
    public static readonly ImmutableSortedDictionary<string, JsonElement> Empty =
        ImmutableSortedDictionary.Create<string, JsonElement>(StringComparer.Ordinal);

    public static bool Equal(IReadOnlyDictionary<string, JsonElement> a, IReadOnlyDictionary<string, JsonElement> b)
    {
        if (a.Count != b.Count) return false;
        foreach (var (key, value) in a)
        {
            if (!b.TryGetValue(key, out var other) || !JsonElement.DeepEquals(value, other)) return false;
        }
        return true;
    }
}
