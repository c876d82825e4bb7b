using Tailmark.Tests.Support;

namespace Tailmark.Tests.Cli;

[Trait("Tier", "Integration")]
public sealed class ReportCommandTests
{
    [Fact]
    public void Report_OnBadInput_NamesFileLineAndField_AndExitsOne()
    {
        using var dir = new TempDir();
        dir.Write("graded.jsonl", """
            {"prompt_id":"p1","rubric_id":"r1","verdicts":{"c1":{"status":"met"}},"reward":1}
            {"prompt_id":"p1","rubric_id":"r1","verdicts":{"c1":{"status":"maybe"}},"reward":1}
            """);
        var result = CliProcess.Run("report", dir.Path);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("graded.jsonl:2: error: verdicts.c1.status: expected met, not_met or cannot_assess", result.Stderr);
        Assert.False(File.Exists(dir.File("report.html")));
    }

    [Fact]
    public void Report_OnAnEmptyDirectory_SaysWhatItLooksFor()
    {
        using var dir = new TempDir();
        var result = CliProcess.Run("report", dir.Path, "--out", dir.File("r.html"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains("nothing to report", result.Stderr);
        Assert.Contains("graded.jsonl", result.Stderr);
    }

    [Fact]
    public void Report_WritesWhereAsked_AndSaysWhatItRead()
    {
        using var dir = new TempDir();
        dir.Write("bon.jsonl", """
            {"n":1,"kl":0,"proxy":0.5,"gold":0.4}
            {"n":2,"kl":0.19314718055994531,"proxy":0.6,"gold":0.45}
            """);
        var result = CliProcess.Run("report", dir.Path, "--out", dir.File("sub/r.html"));
        Assert.True(result.ExitCode == 0, result.All);
        Assert.Contains("2 sections, 3 charts, from bon.jsonl", result.Stdout.Replace("\n", " ", StringComparison.Ordinal)); // best-of-n; theory with 2 charts
        Assert.Contains("\"label\":\"bon: gold\"", File.ReadAllText(dir.File("sub/r.html")));
    }
}
