using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Tailmark.Server.Reward;

/// <summary>
/// The reasons <c>/health</c> can report "degraded", each an <see cref="IHealthCheck"/> registered under its reason code
/// (<see cref="RewardServer"/> registers them; add a reason by adding a check there).
/// </summary>
public static class RewardHealthChecks
{
    /// <summary><c>judge_failing</c>: the judge has failed calls and answered none (down, or rejecting every call).</summary>
    public sealed class JudgeFailing(RewardService service) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var judge = service.JudgeUsage();
            return Task.FromResult(judge is { Calls: 0, Failures: > 0 }
                ? HealthCheckResult.Degraded($"the judge failed all {judge.Failures} calls made so far; judged criteria are CannotAssess")
                : HealthCheckResult.Healthy());
        }
    }

    /// <summary><c>no_rubric</c>: recent requests found no rubric for any of their items (a misconfiguration, not bad luck).</summary>
    public sealed class NoRubric(RewardService service) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var (nothing, seen) = service.NoRubric.Recent();
            return Task.FromResult(nothing > 0
                ? HealthCheckResult.Degraded($"{nothing} of the last {seen} requests found no rubric for any item; check the prompt ids and chat templates the trainer sends")
                : HealthCheckResult.Healthy());
        }
    }
}
