namespace Tailmark.Llm;

/// <summary>
/// How an endpoint with several replicas spreads its calls (docs/llm.md, "Replicas"): with <see cref="Affinity"/> the
/// calls about one response go to one replica (its prefix cache holds the response), else round robin; a replica that
/// fails <see cref="EjectAfter"/> calls in a row is left out for <see cref="EjectFor"/>, doubled at each failed probe up
/// to <see cref="MaxEjectFor"/>.
/// </summary>
public sealed record ReplicaRouting
{
    public static readonly ReplicaRouting Default = new();

    /// <summary>Calls carrying the same affinity key go to the same replica (rendezvous hashing); false: round robin.</summary>
    public bool Affinity { get; init; } = true;

    /// <summary>Failures in a row (connection refused, 5xx, timeouts) that eject a replica.</summary>
    public int EjectAfter { get; init; } = 3;

    /// <summary>How long a newly ejected replica is left out before the next call probes it.</summary>
    public TimeSpan EjectFor { get; init; } = TimeSpan.FromSeconds(5);

    /// <summary>The longest ejection, however many probes failed.</summary>
    public TimeSpan MaxEjectFor { get; init; } = TimeSpan.FromMinutes(2);

    public ReplicaRouting Validated()
    {
        if (EjectAfter is < 1 or > 1000) throw new ArgumentOutOfRangeException(nameof(EjectAfter), EjectAfter, "between 1 and 1000");
        if (EjectFor <= TimeSpan.Zero || MaxEjectFor < EjectFor) throw new ArgumentOutOfRangeException(nameof(EjectFor), EjectFor,
            "0 < eject_s ≤ the longest ejection");
        return this;
    }
}
