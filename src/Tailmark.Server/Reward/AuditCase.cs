using Tailmark.Monitoring;

namespace Tailmark.Server.Reward;

/// <summary>An audited rollout kept for later study: its prompt, step, response and both judges' rewards.</summary>
public sealed record AuditCase(string PromptId, MonitorStepKey Key, string Response, double Training, double Reference)
{
    public double Gap => Training - Reference;
}
