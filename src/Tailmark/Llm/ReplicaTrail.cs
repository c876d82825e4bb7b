namespace Tailmark.Llm;

/// <summary>
/// One call's passage through its attempts, made by <see cref="ResilienceChatClient"/> and read by
/// <see cref="ReplicaRouterChatClient"/> (under <see cref="ChatOptionKeys.ReplicaTrail"/>): the replicas already tried, so
/// that a retry prefers another, and the caller's own cancellation token, so that an attempt cancelled by the per-attempt
/// timeout counts as the replica's failure and one cancelled by the caller does not.
/// </summary>
internal sealed class ReplicaTrail(CancellationToken callerToken)
{
    private readonly HashSet<int> _tried = [];

    public CancellationToken CallerToken => callerToken;

    public bool Tried(int replica)
    {
        lock (_tried) return _tried.Contains(replica);
    }

    public void Add(int replica)
    {
        lock (_tried) _tried.Add(replica);
    }
}
