namespace Tailmark.Evaluation;

/// <summary>How a pair the reward scores equal counts: wrong (as in the paper), half right, or not at all.</summary>
public enum PairTies
{
    Wrong,
    Half,
    Exclude,
}
