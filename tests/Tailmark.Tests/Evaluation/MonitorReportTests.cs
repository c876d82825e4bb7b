using Tailmark.Evaluation.Report;
using Tailmark.Io;
using Tailmark.Monitoring;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Evaluation;

/// <summary>The report's monitor section from a run's monitor.json: the audit drawn with the figures put in, the alarm stated, a bad file located.</summary>
[Trait("Tier", "Fast")]
public sealed class MonitorReportTests
{
    [Fact]
    public async Task AMonitorWithAFiringAudit_IsDrawnAndTheAlarmStated()
    {
        using var dir = new TempDir();
        var table = new MonitorTable();
        for (var step = 1; step <= 4; step++)
        {
            // Eight audits a step: training 0.5, 0.6, 0.7, 0.8; reference 0.7, 0.6, 0.5, 0.4.
            for (var i = 0; i < 8; i++) table.RecordAudit($"p{i % 2}", MonitorStepKey.Step(step), 0.4 + 0.1 * step, 0.8 - 0.1 * step);
        }
        await File.WriteAllTextAsync(Path.Combine(dir.Path, MonitorSection.File), table.Render());
        var report = await RunReport.BuildAsync(dir.Path);
        Assert.Contains(MonitorSection.File, report.Sources);
        var section = Assert.Single(report.Sections, s => s.Title == "Over-optimization monitor");
        Assert.Contains("Reward-hacking alarm: FIRING", section.Description);
        Assert.Contains("rose 0.100 per step while the reference judge's fell 0.100", section.Description);
        var chart = Assert.Single(section.Charts, c => c.Id == "monitor-audit");
        var datasets = chart.Config["data"]!["datasets"]!.AsArray();
        Assert.Equal([0.5, 0.6, 0.7, 0.8], datasets[0]!["data"]!.AsArray().Select(p => Math.Round(p!["y"]!.GetValue<double>(), 9)));
        Assert.Equal([0.7, 0.6, 0.5, 0.4], datasets[1]!["data"]!.AsArray().Select(p => Math.Round(p!["y"]!.GetValue<double>(), 9)));
        Assert.Equal([1.0, 2, 3, 4], datasets[0]!["data"]!.AsArray().Select(p => p!["x"]!.GetValue<double>()));
    }

    [Fact]
    public async Task StepsAndClockWindows_AreNotDrawnOnOneAxis_TheStepsWin()
    {
        using var dir = new TempDir();
        var table = new MonitorTable();
        for (var step = 1; step <= 3; step++)
        {
            for (var i = 0; i < 8; i++) table.RecordAudit("p", MonitorStepKey.Step(step), 0.5, 0.5);
        }
        for (var i = 0; i < 8; i++) table.RecordAudit("p", new MonitorStepKey(29_000_000, true), 0.9, 0.1);
        await File.WriteAllTextAsync(Path.Combine(dir.Path, MonitorSection.File), table.Render());
        var section = Assert.Single((await RunReport.BuildAsync(dir.Path)).Sections, s => s.Title == "Over-optimization monitor");
        var chart = Assert.Single(section.Charts, c => c.Id == "monitor-audit");
        Assert.Equal([1.0, 2, 3], chart.Config["data"]!["datasets"]![0]!["data"]!.AsArray().Select(p => p!["x"]!.GetValue<double>()));
    }

    [Fact]
    public async Task AMonitorFileThatIsNotOne_IsAnErrorNamingIt()
    {
        using var dir = new TempDir();
        var path = Path.Combine(dir.Path, MonitorSection.File);
        await File.WriteAllTextAsync(path, """{"prompts": [{"prompt_id": "p", "steps": [{"step": 1, "items": 2}]}]}""");
        var ex = await Assert.ThrowsAsync<InputException>(() => RunReport.BuildAsync(dir.Path));
        Assert.Contains(ex.Issues, i => i.File == path && i.Field == "prompts[0].steps[0].counts");
    }
}
