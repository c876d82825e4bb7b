namespace Tailmark.Evaluation;

/// <summary>The KL divergence from the base policy and the win rate (expected gold quantile) of an optimized policy.</summary>
public sealed record TheoryResult(string Map, double Kl, double WinRate);
