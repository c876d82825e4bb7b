namespace Tailmark.Storage;

/// <summary>What <see cref="IVerdictLeases.TryTakeAsync"/> found.</summary>
public enum LeaseTake
{
    /// <summary>This process holds the lease now: it judges, and releases it after storing the verdicts.</summary>
    Taken,

    /// <summary>Another process holds it and it has not expired: that process is judging the same response.</summary>
    HeldElsewhere,

    /// <summary>Every verdict the lease was for is stored already (another process just judged them): read them, judge nothing.</summary>
    Done,

    /// <summary>The store cannot be asked (an outage, or a role without the lease table): judge without a lease.</summary>
    Unavailable,
}
