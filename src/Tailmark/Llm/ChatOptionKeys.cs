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
}
