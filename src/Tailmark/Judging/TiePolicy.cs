namespace Tailmark.Judging;

/// <summary>What an even split of votes means.</summary>
public enum TiePolicy
{
    /// <summary>The criterion is CannotAssess with the reason "votes tied" (default: a tie is no evidence).</summary>
    CannotAssess,
    /// <summary>A tie counts as met.</summary>
    Met,
    /// <summary>A tie counts as not met.</summary>
    NotMet,
}
