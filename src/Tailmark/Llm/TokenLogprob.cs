namespace Tailmark.Llm;

/// <summary>One output token's log probability and its top alternatives, as the endpoint reported them.</summary>
public sealed record TokenLogprob(string Token, double Logprob, IReadOnlyList<(string Token, double Logprob)> Top);
