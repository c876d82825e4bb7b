namespace Tailmark.Scoring;

public enum SaturationScope
{
    None,
    /// <summary>The concave transform is applied to each positive criterion's value.</summary>
    Criterion,
    /// <summary>The concave transform is applied to each category's earned share of its weight.</summary>
    Category,
}
