namespace Tailmark.Sim;

/// <summary>One token's log probability and the alternatives considered for it.</summary>
public sealed record SimTokenLogprob(string Token, double Logprob, IReadOnlyList<(string Token, double Logprob)> Top);

/// <summary>
/// One completion: its text, why it stopped, (when asked) per-token log probabilities, and the reasoning a reasoning
/// parser would have split off (REASONING, sent in the field REASONINGFIELD: <c>reasoning_content</c> or <c>reasoning</c>).
/// </summary>
public sealed record SimChoice(string Content, string FinishReason, IReadOnlyList<SimTokenLogprob>? Logprobs = null,
    string? Reasoning = null, string ReasoningField = "reasoning_content");
