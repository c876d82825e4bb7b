using System.Text.Json;
using Tailmark.Monitoring;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Monitoring;

/// <summary>The reward-hacking alarm's rule on audit steps whose slopes are worked out by hand, and the audit's sums through a merge.</summary>
[Trait("Tier", "Fast")]
public sealed class AuditAlarmTests
{
    private static List<AuditStep> Steps(double[] training, double[] reference, int audited = 10) =>
        [.. training.Select((t, i) => new AuditStep(MonitorStepKey.Step(i + 1), audited, t, reference[i]))];

    [Fact]
    public void TrainingUp_ReferenceDown_Fires_WithTheLeastSquaresSlopes()
    {
        // Training 0.5 → 0.9 in steps of 0.1: slope 0.1. Reference 0.6, 0.55, …, 0.4: slope −0.05.
        var alarm = AuditAlarm.Over(Steps([0.5, 0.6, 0.7, 0.8, 0.9], [0.6, 0.55, 0.5, 0.45, 0.4]));
        Assert.True(alarm.Evaluable);
        Assert.True(alarm.Firing);
        Assert.Equal(0.1, alarm.TrainingSlope!.Value, 12);
        Assert.Equal(-0.05, alarm.ReferenceSlope!.Value, 12);
    }

    [Fact]
    public void BothUp_OrAFlatReference_DoesNotFire()
    {
        Assert.False(AuditAlarm.Over(Steps([0.5, 0.6, 0.7, 0.8, 0.9], [0.45, 0.5, 0.6, 0.7, 0.8])).Firing);
        // Reference slope −0.005 per step: inside the noise band of ±0.01.
        var flat = AuditAlarm.Over(Steps([0.5, 0.6, 0.7], [0.5, 0.495, 0.49]));
        Assert.True(flat.Evaluable);
        Assert.False(flat.Firing);
        Assert.Equal(-0.005, flat.ReferenceSlope!.Value, 12);
    }

    [Fact]
    public void SparseSteps_AreSpacedByTheirNumbers_AndWindowsLeftOutWhenThereAreSteps()
    {
        // Steps 2, 4, 6: training 0.5, 0.6, 0.7 is 0.05 per step (not 0.1 per position); reference 0.6, 0.5, 0.4 is −0.05.
        List<AuditStep> steps =
        [
            new(MonitorStepKey.Step(2), 10, 0.5, 0.6), new(MonitorStepKey.Step(4), 10, 0.6, 0.5), new(MonitorStepKey.Step(6), 10, 0.7, 0.4),
            new(new MonitorStepKey(29_000_000, true), 10, 0.0, 1.0), // a window of step-less items: not on the steps' axis
        ];
        var alarm = AuditAlarm.Over(steps);
        Assert.Equal([2L, 4, 6], alarm.Steps.Select(s => s.Key.Value));
        Assert.Equal(0.05, alarm.TrainingSlope!.Value, 12);
        Assert.Equal(-0.05, alarm.ReferenceSlope!.Value, 12);
        Assert.True(alarm.Firing);
    }

    [Fact]
    public void TooFewAuditedSteps_AreNotEvaluable_AndOnlyTheLatestFiveCount()
    {
        Assert.False(AuditAlarm.Over(Steps([0.1, 0.9], [0.9, 0.1])).Evaluable);
        // Seven audited rollouts a step is below the minimum of eight.
        Assert.False(AuditAlarm.Over(Steps([0.1, 0.5, 0.9], [0.9, 0.5, 0.1], audited: 7)).Evaluable);
        // Seven steps: the first two (training falling) are outside the window of five.
        var alarm = AuditAlarm.Over(Steps([0.9, 0.1, 0.5, 0.6, 0.7, 0.8, 0.9], [0.2, 0.9, 0.6, 0.55, 0.5, 0.45, 0.4]));
        Assert.Equal([3L, 4, 5, 6, 7], alarm.Steps.Select(s => s.Key.Value));
        Assert.True(alarm.Firing);
    }

    [Fact]
    public void AuditSums_SurviveRenderReadBackAndMerge_AndTheAlarmIsComputedOverAllPrompts()
    {
        var a = new MonitorTable();
        var b = new MonitorTable();
        var whole = new MonitorTable();
        // Two prompts, five steps, eight audits each split over two replicas; training rises 0.1 a step, reference falls 0.1.
        for (var step = 1; step <= 5; step++)
        {
            for (var i = 0; i < 8; i++)
            {
                var prompt = i % 2 == 0 ? "p1" : "p2";
                var (training, reference) = (0.4 + 0.1 * step, 0.9 - 0.1 * step);
                (i < 3 ? a : b).RecordAudit(prompt, MonitorStepKey.Step(step), training, reference);
                whole.RecordAudit(prompt, MonitorStepKey.Step(step), training, reference);
            }
        }
        var merged = MonitorTable.Merge([MonitorTable.Parse(a.Render(), "a"), MonitorTable.Parse(b.Render(), "b")]);
        JsonClose.Equal(JsonDocument.Parse(whole.Render()).RootElement, JsonDocument.Parse(merged.Render()).RootElement);
        Assert.False(a.AuditAlarm().Evaluable);   // three audits a step on one replica: too few
        var alarm = merged.AuditAlarm();
        Assert.True(alarm.Firing);
        Assert.Equal(0.1, alarm.TrainingSlope!.Value, 9);
        Assert.Equal(-0.1, alarm.ReferenceSlope!.Value, 9);
        var audit = JsonDocument.Parse(merged.Render()).RootElement.GetProperty("audit");
        Assert.True(audit.GetProperty("alarm").GetBoolean());
        Assert.Equal(0.5 - 0.8, audit.GetProperty("steps")[0].GetProperty("gap").GetDouble(), 9);
    }
}
