using System.Collections.Immutable;

namespace Tailmark.Rubrics;

/// <summary>
/// Layers task- and dataset-level rubrics onto an instance rubric (Rubicon's three granularities).
/// A shared rubric applies when its scope's task (if set) equals the prompt's task and its scope's tags (if
/// set) share at least one tag with the prompt. Criteria keep their ids. On an id clash the more specific
/// level wins (instance over task over dataset), so an instance rubric can deliberately override a shared
/// criterion; between two rubrics of the same level the one listed first wins. Every clash is noted.
/// </summary>
public static class RubricComposer
{
    public static bool Applies(Rubric shared, string? task, IReadOnlyCollection<string> tags)
    {
        if (shared.Level == RubricLevel.Instance) return false;
        if (shared.Scope.Task is { } t && !string.Equals(t, task, StringComparison.Ordinal)) return false;
        if (!shared.Scope.Tags.IsDefaultOrEmpty && !shared.Scope.Tags.Any(tags.Contains)) return false;
        return true;
    }

    public static ComposedRubric Compose(Rubric instance, IEnumerable<Rubric> shared, string? task = null, IReadOnlyCollection<string>? tags = null)
    {
        tags ??= [];
        var applicable = shared.Where(r => Applies(r, task, tags))
            .OrderBy(r => r.Level == RubricLevel.Task ? 0 : 1) // stable: same level keeps the given order
            .ToList();
        var criteria = new List<Criterion>(instance.Criteria);
        var owner = instance.Criteria.ToDictionary(c => c.Id, _ => instance, StringComparer.Ordinal);
        var notes = ImmutableArray.CreateBuilder<LayeringNote>();
        foreach (var layer in applicable)
        {
            foreach (var c in layer.Criteria)
            {
                if (owner.TryGetValue(c.Id, out var kept))
                {
                    var reason = kept.Level == layer.Level
                        ? "same level: the rubric listed first wins"
                        : $"{kept.Level.ToString().ToLowerInvariant()} overrides {layer.Level.ToString().ToLowerInvariant()}";
                    notes.Add(new LayeringNote(c.Id, kept.Id, layer.Id, reason));
                    continue;
                }
                owner[c.Id] = layer;
                criteria.Add(c);
            }
        }
        var composed = instance with { Criteria = [.. criteria] };
        return new ComposedRubric(composed, [instance.Id, .. applicable.Select(r => r.Id)], notes.ToImmutable());
    }
}
