namespace Tailmark.Checks;

internal static class Compare
{
    public static bool Holds(Relation relation, int actual, int threshold) =>
        relation == Relation.LessThan ? actual < threshold : actual >= threshold;
}
