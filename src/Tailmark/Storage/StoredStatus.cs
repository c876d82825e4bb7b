namespace Tailmark.Storage;

/// <summary>
/// What a stored verdict says. There is no third value: CannotAssess is never stored, so a rerun asks again what
/// failed — the type makes that rule impossible to break.
/// </summary>
public enum StoredStatus
{
    NotMet,
    Met,
}
