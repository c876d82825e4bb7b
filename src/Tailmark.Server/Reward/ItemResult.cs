using Tailmark.Judging;

namespace Tailmark.Server.Reward;

/// <summary>
/// The answer for one item: the graded response, or an error (no rubric), or a fallback reward (flagged), or a
/// deadline miss (flagged; the grading goes on in the background and fills the cache).
/// </summary>
public sealed record ItemResult(GradedResponse? Graded, string? Error, double? FallbackReward, bool DeadlineExceeded)
{
    public double? Reward => Graded?.Result.Reward ?? FallbackReward;
}
