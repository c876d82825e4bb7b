using System.Diagnostics;
using System.Text.Json;
using System.Text.RegularExpressions;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Cli;

/// <summary>
/// `tailmark grade` over three `tailmark sim serve` processes named as one endpoint (endpoints file, <c>urls:</c>), as a
/// user runs judge replicas: the rewards and verdicts equal those of a grade against one server, and every replica served.
/// </summary>
[Trait("Tier", "Integration")]
public sealed partial class GradeReplicasTests
{
    [Fact]
    public async Task Grade_OverThreeSimServeReplicas_EqualsOneServer()
    {
        using var dir = new TempDir();
        var (rubrics, responses) = SimFixtures.WriteGradeInputs(dir, tasks: 4, perTask: 3);
        var processes = new List<Process>();
        try
        {
            var urls = new List<string>();
            for (var i = 0; i < 4; i++)
            {
                var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
                foreach (var a in new[] { CliProcess.CliDll, "sim", "serve", "--port", "0", "--tasks", "4" }) start.ArgumentList.Add(a);
                var process = Process.Start(start)!;
                processes.Add(process);
                var line = await process.StandardOutput.ReadLineAsync().WaitAsync(TimeSpan.FromSeconds(60));
                urls.Add(Url().Match(line ?? "").Value);
                Assert.False(string.IsNullOrEmpty(urls[^1]), line);
            }
            var endpoints = dir.Write("endpoints.yaml",
                $"endpoints:\n  replicas:\n    urls: [{string.Join(", ", urls.Take(3))}]\n    model: sim-judge\n  one:\n    url: {urls[3]}\n    model: " +
                    $"sim-judge\n");
            var replicated = CliProcess.Run("grade", "--rubrics", rubrics, "--responses", responses, "--endpoints", endpoints, "--judge", "replicas",
                "--mode", "per-criterion", "--no-cache", "--out", dir.File("replicated.jsonl"));
            Assert.True(replicated.ExitCode == 0, replicated.Stderr);
            var one = CliProcess.Run("grade", "--rubrics", rubrics, "--responses", responses, "--endpoints", endpoints, "--judge", "one",
                "--mode", "per-criterion", "--no-cache", "--out", dir.File("one.jsonl"));
            Assert.True(one.ExitCode == 0, one.Stderr);
            Assert.Equal(Verdicts(dir.File("one.jsonl")), Verdicts(dir.File("replicated.jsonl")));
            Assert.DoesNotContain("cannot_assess", File.ReadAllText(dir.File("replicated.jsonl")), StringComparison.Ordinal);
            // The summary lists the three replicas, each having answered some calls.
            foreach (var url in urls.Take(3)) Assert.Matches($@"replica {Regex.Escape(url)}/?\s*│\s*[1-9][\d,]* calls", replicated.Stdout);
        }
        finally
        {
            foreach (var p in processes)
            {
                p.Kill(entireProcessTree: true);
                p.Dispose();
            }
        }
    }

    // Each row's id, reward and verdicts, which must not depend on which replica judged.
    private static List<string> Verdicts(string path) =>
        [.. File.ReadLines(path).Select(line =>
        {
            using var row = JsonDocument.Parse(line);
            var r = row.RootElement;
            return $"{r.GetProperty("prompt_id")}/{r.GetProperty("response_id")}: {r.GetProperty("reward")} {r.GetProperty("verdicts")}";
        }).Order(StringComparer.Ordinal)];

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/v1")]
    private static partial Regex Url();
}
