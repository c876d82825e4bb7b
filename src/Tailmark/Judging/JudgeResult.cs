using Tailmark.Scoring;

namespace Tailmark.Judging;

/// <summary>The verdicts of the judged criteria of one response, with diagnostics and what it cost in calls.</summary>
public sealed record JudgeResult(IReadOnlyDictionary<string, Verdict> Verdicts, IReadOnlyList<RewardDiagnostic> Diagnostics, int Calls, int CacheHits);
