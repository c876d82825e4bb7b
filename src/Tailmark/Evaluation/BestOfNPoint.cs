namespace Tailmark.Evaluation;

/// <summary>Best-of-n at one n: the KL from the base policy and the expected proxy and gold reward of the pick.</summary>
public sealed record BestOfNPoint(int N, double Kl, double Proxy, double Gold);
