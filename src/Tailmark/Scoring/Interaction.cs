namespace Tailmark.Scoring;

/// <summary>A pairwise interaction between two criteria (by id) with a non-negative weight.</summary>
public sealed record Interaction(string First, string Second, InteractionKind Kind, double Weight);
