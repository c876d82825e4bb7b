namespace Tailmark.Building;

/// <summary>One criterion over a pool: how often it is met, and which other criteria give exactly the same verdicts.</summary>
public sealed record CriterionReport(string Id, string Text, double Weight, int Assessed, int Met, IReadOnlyList<string> SameVerdictsAs)
{
    public double PassRate => Assessed == 0 ? double.NaN : (double)Met / Assessed;

    /// <summary>A criterion every response passes, or every response fails, cannot tell responses apart.</summary>
    public bool CarriesNoSignal => Assessed > 0 && (Met == 0 || Met == Assessed);
}
