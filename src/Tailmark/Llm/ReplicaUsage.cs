namespace Tailmark.Llm;

/// <summary>
/// One replica's counts so far (<see cref="ReplicaRouterChatClient.Snapshot"/>): calls answered, attempts failed
/// (connection refused, 5xx, timeouts), calls it took that affinity would have sent to another (spilled over from a
/// saturated, failing or ejected replica), times ejected, its prompt and cached prompt tokens, its calls in flight
/// and whether it is ejected now.
/// </summary>
public sealed record ReplicaUsage(Uri Url, long Calls, long Failures, long SpilledIn, long Ejections, long PromptTokens, long CachedPromptTokens, int InFlight,
    bool Ejected)
{
    /// <summary>The share of its prompt tokens its prefix cache served; 0 with none.</summary>
    public double CachedShare => PromptTokens == 0 ? 0 : (double)CachedPromptTokens / PromptTokens;
}
