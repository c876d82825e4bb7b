namespace Tailmark.Rubrics;

/// <summary>
/// What layering did with one criterion that clashed: which rubric's criterion was kept and which was dropped.
/// </summary>
public sealed record LayeringNote(string CriterionId, string KeptFrom, string DroppedFrom, string Reason);
