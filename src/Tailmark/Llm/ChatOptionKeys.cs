namespace Tailmark.Llm;

/// <summary>
/// Keys Tailmark puts in <c>ChatOptions.AdditionalProperties</c> (requests) and <c>ChatResponse.AdditionalProperties</c>
/// (answers) for what the IChatClient abstraction has no field for.
/// </summary>
public static class ChatOptionKeys
{
    /// <summary>Request: ask for log probabilities with this many alternatives per token (int).</summary>
    public const string TopLogprobs = "tailmark.top_logprobs";

    /// <summary>Answer: the per-token log probabilities (IReadOnlyList&lt;TokenLogprob&gt;).</summary>
    public const string Logprobs = "tailmark.logprobs";

    /// <summary>
    /// Request: the key of calls that share a prompt prefix (the judge's response digest, string): an endpoint with
    /// replicas sends calls with one key to one replica, whose prefix cache then holds that prefix.
    /// </summary>
    public const string AffinityKey = "tailmark.affinity_key";

    /// <summary>Request, between our own stages: the call's <see cref="ReplicaTrail"/>.</summary>
    internal const string ReplicaTrail = "tailmark.replica_trail";
}
