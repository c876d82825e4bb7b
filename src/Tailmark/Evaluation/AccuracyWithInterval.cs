namespace Tailmark.Evaluation;

/// <summary>An accuracy over pairs with its bootstrap 95% interval (percentiles of 1,000 resamples, seeded).</summary>
public sealed record AccuracyWithInterval(string Region, int Pairs, int Ties, double Accuracy, double Low, double High);
