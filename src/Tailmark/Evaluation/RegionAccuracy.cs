namespace Tailmark.Evaluation;

/// <summary>Accuracy of a reward on preference pairs of one region: correct orderings (ties counted wrong) over pairs.</summary>
public sealed record RegionAccuracy(int Pairs, int Correct, int Ties)
{
    public double Accuracy => Pairs == 0 ? double.NaN : (double)Correct / Pairs;
}
