namespace Tailmark.Building;

/// <summary>
/// The quality of one rubric on a pool: per-criterion pass rates and redundancy, the separation of the top
/// responses (the score gap between the best two, and the share of the top k that tie with another of the top k),
/// and the size and weight mix.
/// </summary>
public sealed record RubricReport(
    string RubricId,
    int Responses,
    IReadOnlyList<CriterionReport> Criteria,
    double? TopGap,
    double TopTieShare,
    int TopK,
    double PositiveWeight,
    double NegativeWeight);
