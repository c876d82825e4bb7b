using Tailmark.Scoring;

namespace Tailmark.Judging;

/// <summary>A graded response: its verdicts row and its reward (with the judge's diagnostics merged in).</summary>
public sealed record GradedResponse(VerdictRow Row, RewardResult Result, int JudgeCalls, int CacheHits);
