namespace Tailmark.Building;

/// <summary>Refinement-through-Differentiation settings: rounds, pair choice, whether used responses leave the pool, and the tie-breaking seed.</summary>
public sealed record RefineOptions(int Iterations = 4, PairStrategy Pair = PairStrategy.Top2, bool ExcludeUsed = false, int Seed = 0);
