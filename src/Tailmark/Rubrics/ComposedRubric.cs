using System.Collections.Immutable;

namespace Tailmark.Rubrics;

/// <summary>The rubric a response is actually graded against, with the layers it came from and any clashes.</summary>
public sealed record ComposedRubric(Rubric Rubric, ImmutableArray<string> Layers, ImmutableArray<LayeringNote> Notes);
