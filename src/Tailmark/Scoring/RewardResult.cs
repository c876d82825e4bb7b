using System.Collections.Immutable;

namespace Tailmark.Scoring;

/// <summary>A reward (null when undefined or failed, never a silent 0), its breakdown and its diagnostics.</summary>
public sealed record RewardResult(double? Reward, RewardBreakdown Breakdown, ImmutableArray<RewardDiagnostic> Diagnostics);
