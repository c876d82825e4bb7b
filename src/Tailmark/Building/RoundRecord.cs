using Tailmark.Rubrics;

namespace Tailmark.Building;

/// <summary>
/// One refinement round of one prompt: the scores the current rubric gave the pool, the pair contrasted, the
/// rubric that came out (the previous one when the refinement failed, with the problem), and the diff.
/// </summary>
public sealed record RoundRecord(
    int Round,
    IReadOnlyDictionary<string, double?> Scores,
    string? ResponseA,
    string? ResponseB,
    Rubric Rubric,
    RubricDiff Diff,
    bool KeptPrevious,
    string? Problem);
