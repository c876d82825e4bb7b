using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tailmark.Rubrics;
using Tailmark.Sim;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Cli;

[Trait("Tier", "Integration")]
public sealed class SimCommandTests
{
    [Fact]
    public void Export_WritesPromptRowsWithGoldFacets()
    {
        using var dir = new TempDir();
        var path = dir.File("tasks.jsonl");
        var result = CliProcess.Run("sim", "export", "--tasks", "5", "--seed", "3", "--gold", "--out", path);
        Assert.Equal(0, result.ExitCode);
        var rows = File.ReadAllLines(path).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var world = new SimWorld(3, 5);
        Assert.Equal(world.Tasks.Select(t => t.Prompt), rows.Select(r => r.GetProperty("prompt").GetString()));
        Assert.Equal(world.Tasks.Select(t => t.Id), rows.Select(r => r.GetProperty("prompt_id").GetString()));
        Assert.All(rows, r => Assert.Equal(11, r.GetProperty("gold").GetProperty("facets").GetArrayLength()));
    }

    [Theory]
    [InlineData("--capacity", "slots=-1", "error:")]
    [InlineData("--faults", "429=2", "error:")]
    [InlineData("--judge-error", "1.5", "error: --judge-error must be a rate in [0,1], not 1.5\n")]
    [InlineData("--proposer-malformed", "-0.5", "error: --proposer-malformed must be a rate in [0,1], not -0.5\n")]
    [InlineData("--tasks", "0", "error: --tasks must be at least 1, not 0\n")]
    public void Serve_BadOption_ExitsTwoWithTheReason(string option, string value, string message)
    {
        var result = CliProcess.Run("sim", "serve", "--port", "0", option, value);
        Assert.Equal(2, result.ExitCode);
        Assert.Contains(message, result.Stderr.ReplaceLineEndings("\n"));
    }

    [Fact]
    public async Task Serve_AnswersOnLoopbackUntilStopped()
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in new[] { CliProcess.CliDll, "sim", "serve", "--port", "0", "--tasks", "3" }) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        try
        {
            var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
            var url = Regex.Match(line ?? "", @"http://127\.0\.0\.1:\d+/v1").Value;
            Assert.False(string.IsNullOrEmpty(url), line);
            using var client = new ChatHttp(new Uri(url));
            var models = await client.GetAsync("/models");
            Assert.Contains(models.GetProperty("data").EnumerateArray(), m => m.GetProperty("id").GetString() == "sim-judge");
            var answer = await client.CompleteAsync(ChatHttp.Body("sim-great", new SimWorld(new SimOptions().Seed, 3).Tasks[0].Prompt));
            Assert.StartsWith("Here is how I would approach", answer.Replace(SimWorldPraise, "", StringComparison.Ordinal).TrimStart());
        }
        finally
        {
            process.Kill(entireProcessTree: true);
        }
    }

    private const string SimWorldPraise = "What a great question!";
}
