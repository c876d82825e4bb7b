namespace Tailmark.Checks;

/// <summary>IFEval's two comparisons: "less than" (actual &lt; n) and "at least" (actual ≥ n).</summary>
public enum Relation
{
    LessThan,
    AtLeast,
}
