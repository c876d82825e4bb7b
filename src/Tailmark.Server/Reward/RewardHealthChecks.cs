using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace Tailmark.Server.Reward;

/// <summary>
/// The reasons <c>/health</c> can report "degraded", each an <see cref="IHealthCheck"/> registered under its reason code
/// (<see cref="RewardServer"/> registers them; add a reason by adding a check there).
/// </summary>
public static class RewardHealthChecks
{
    /// <summary>
    /// <c>judge_failing</c>: the judge has failed calls and answered none (down, or rejecting every call), or at least half
    /// of its latest calls failed (a judge that died after serving well).
    /// </summary>
    public sealed class JudgeFailing(RewardService service) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var judge = service.JudgeUsage();
            var allFailed = judge is { Calls: 0, Failures: > 0 };
            var recentlyFailing = judge.RecentCalls >= JudgeAnswersUnusable.MinRecentAnswers && judge.RecentFailures * 2 >= judge.RecentCalls;
            return Task.FromResult(allFailed || recentlyFailing
                ? HealthCheckResult.Degraded(allFailed
                    ? $"the judge failed all {judge.Failures} calls made so far; judged criteria are CannotAssess"
                    : $"{judge.RecentFailures} of the judge's latest {judge.RecentCalls} calls failed; their judged criteria are CannotAssess and those " +
                        $"rewards undefined")
                : HealthCheckResult.Healthy());
        }
    }

    /// <summary>
    /// <c>judge_answers_unusable</c>: the judge answers, but no verdict can be read from its answers — every answer so far,
    /// or at least half of the latest ones (a model that reasons past its budget, a server without its reasoning parser).
    /// The rewards of those items are undefined (the coverage rule), never made of what was left.
    /// </summary>
    public sealed class JudgeAnswersUnusable(RewardService service) : IHealthCheck
    {
        /// <summary>The fewest recent answers (or calls) the share is judged on, so that one bad answer at start-up is not an alarm.</summary>
        public const int MinRecentAnswers = 10;

        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var judge = service.JudgeUsage();
            var allUnusable = judge is { UnusableAnswers: > 0, UsableAnswers: 0 };
            var recentlyUnusable = judge.RecentAnswers >= MinRecentAnswers && judge.RecentUnusable * 2 >= judge.RecentAnswers;
            return Task.FromResult(allUnusable || recentlyUnusable
                ? HealthCheckResult.Degraded(allUnusable
                    ? $"no verdict could be read from any of the judge's {judge.UnusableAnswers} answers; judged criteria are CannotAssess and rewards " +
                        $"undefined (try structured_output, reasoning_tokens, or the server's reasoning parser: docs/llm.md)"
                    : $"no verdict could be read from {judge.RecentUnusable} of the judge's latest {judge.RecentAnswers} answers (try structured_output, " +
                        $"reasoning_tokens, or the server's reasoning parser: docs/llm.md)")
                : HealthCheckResult.Healthy());
        }
    }

    /// <summary>
    /// <c>verdict_store_unreachable</c>: the shared verdict store (PostgreSQL) does not answer. Rewards go on — verdicts
    /// not in this replica's memory are asked of the judge, new ones wait to be written — but replicas stop sharing.
    /// </summary>
    public sealed class VerdictStoreUnreachable(RewardService service) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (service.Cache?.Store is not { } store || store.Health is not { Available: false } health) return Task.FromResult(HealthCheckResult.Healthy());
            return Task.FromResult(HealthCheckResult.Degraded(
                $"the verdict store {store.Location} is unreachable: rewards go on, verdicts not in memory are judged again, {health.Pending:#,0} wait to be " +
                    $"written ({health.Dropped:#,0} dropped)"));
        }
    }

    /// <summary>
    /// <c>reward_hacking_suspected</c>: the audit's alarm fires — over the latest audited steps the training reward rises
    /// while the reference judge's falls (<see cref="Monitoring.AuditAlarm"/>).
    /// </summary>
    public sealed class RewardHackingSuspected(RewardService service) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            if (service.Audit is null) return Task.FromResult(HealthCheckResult.Healthy());
            var alarm = service.Monitor.AuditAlarm();
            return Task.FromResult(alarm.Firing
                ? HealthCheckResult.Degraded(string.Create(System.Globalization.CultureInfo.InvariantCulture,
                    $"over the latest {alarm.Steps.Count} audited steps the training reward rose {alarm.TrainingSlope:0.000} per step while the reference " +
                    $"judge's fell {-alarm.ReferenceSlope:0.000}: the policy may be gaming the judge (see /v1/monitor's audit)"))
                : HealthCheckResult.Healthy());
        }
    }

    /// <summary><c>audit_stopped</c>: the reference-judge audit stopped before the server did (its judge could not serve at all).</summary>
    public sealed class AuditStopped(RewardService service) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
            Task.FromResult(service.Audit?.StoppedBy is { } why
                ? HealthCheckResult.Degraded($"the reference-judge audit stopped ({why}): no rollout is audited any more; rewards go on")
                : HealthCheckResult.Healthy());
    }

    /// <summary><c>no_rubric</c>: recent requests found no rubric for any of their items (a misconfiguration, not bad luck).</summary>
    public sealed class NoRubric(RewardService service) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var (nothing, seen) = service.NoRubric.Recent();
            return Task.FromResult(nothing > 0
                ? HealthCheckResult.Degraded($"{nothing} of the last {seen} requests found no rubric for any item; check the prompt ids and chat templates " +
                    $"the trainer sends")
                : HealthCheckResult.Healthy());
        }
    }
}
