namespace Tailmark.Monitoring;

/// <summary>One step of the audit over all prompts: how many rollouts were audited and their mean rewards under both judges.</summary>
public sealed record AuditStep(MonitorStepKey Key, int Audited, double TrainingMean, double ReferenceMean)
{
    public double Gap => TrainingMean - ReferenceMean;
}
