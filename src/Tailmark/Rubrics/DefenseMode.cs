namespace Tailmark.Rubrics;

/// <summary>How the built-in defense rubric's criteria act on the reward.</summary>
public enum DefenseMode
{
    /// <summary>A detected hacking pattern sets the reward to the veto value.</summary>
    Veto,
    /// <summary>A detected hacking pattern subtracts its (negative) weight like any pitfall.</summary>
    Penalty,
}
