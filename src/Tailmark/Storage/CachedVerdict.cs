namespace Tailmark.Storage;

/// <summary>A stored verdict: met or not met, with the ordinal level, P(yes) and reason when there were.</summary>
public sealed record CachedVerdict(StoredStatus Status, double? Level, double? PYes, string? Reason)
{
    /// <summary>
    /// Whether a store can keep it: a defined status and only finite numbers (a row with NaN would read back as a
    /// damaged row, and PostgreSQL's constraints refuse it).
    /// </summary>
    public bool IsStorable =>
        Status is StoredStatus.Met or StoredStatus.NotMet && (Level is null || double.IsFinite(Level.Value)) && (PYes is null || double.IsFinite(PYes.Value));

    /// <summary>The status as the stores write it: "met" or "not_met".</summary>
    public string StatusText => Status == StoredStatus.Met ? "met" : "not_met";

    /// <summary>The stored text of a status; null for anything else (a row edited by hand, or another tool's).</summary>
    public static StoredStatus? ParseStatus(string? text) => text switch
    {
        "met" => StoredStatus.Met,
        "not_met" => StoredStatus.NotMet,
        _ => null,
    };
}
