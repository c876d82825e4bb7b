namespace Tailmark.Scoring;

/// <summary>
/// The verdict on one criterion: its status, for ordinal criteria the level value chosen, optionally the
/// judge's probability of "yes", and the reason (always kept for CannotAssess).
/// </summary>
public sealed record Verdict(VerdictStatus Status, double? Level = null, double? PYes = null, string? Reason = null)
{
    public static readonly Verdict Met = new(VerdictStatus.Met);
    public static readonly Verdict NotMet = new(VerdictStatus.NotMet);

    public static Verdict CannotAssess(string reason) => new(VerdictStatus.CannotAssess, Reason: reason);

    public static string StatusName(VerdictStatus status) => status switch
    {
        VerdictStatus.Met => "met",
        VerdictStatus.NotMet => "not_met",
        _ => "cannot_assess",
    };

    public static bool TryParseStatus(string text, out VerdictStatus status)
    {
        switch (text.Trim().ToLowerInvariant())
        {
            case "met" or "yes" or "true": status = VerdictStatus.Met; return true;
            case "not_met" or "no" or "false": status = VerdictStatus.NotMet; return true;
            case "cannot_assess": status = VerdictStatus.CannotAssess; return true;
            default: status = default; return false;
        }
    }
}
