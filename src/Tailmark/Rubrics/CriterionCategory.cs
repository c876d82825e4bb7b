namespace Tailmark.Rubrics;

/// <summary>How much a criterion matters, in RaR's vocabulary.</summary>
public enum CriterionCategory
{
    Essential,
    Important,
    Optional,
    /// <summary>An undesirable behaviour; usually carries a negative weight.</summary>
    Pitfall,
}
