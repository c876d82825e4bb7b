namespace Tailmark.Evaluation;

/// <summary>One point of a win-rate-against-KL curve: the policy family, the map, its parameter (β or n), KL and win rate.</summary>
public sealed record TheoryCurvePoint(string Family, string Map, double Parameter, double Kl, double WinRate);
