namespace Tailmark.Sim;

/// <summary>One token's log probability and the alternatives considered for it.</summary>
public sealed record SimTokenLogprob(string Token, double Logprob, IReadOnlyList<(string Token, double Logprob)> Top);

/// <summary>One completion: its text, why it stopped, and (when asked) per-token log probabilities.</summary>
public sealed record SimChoice(string Content, string FinishReason, IReadOnlyList<SimTokenLogprob>? Logprobs = null);
