namespace Tailmark.Scoring;

public enum VerdictStatus
{
    Met,
    NotMet,
    /// <summary>The criterion could not be judged (judge error, unparsable output, timeout, not applicable).</summary>
    CannotAssess,
}
