using System.Diagnostics;
using System.Text.Json;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Reliability;

/// <summary>
/// Outputs are all-or-nothing: a command that exits non-zero leaves yesterday's file as it was, leaves no temporary
/// file, and the next run clears what a killed one left.
/// </summary>
[Trait("Tier", "Integration")]
public sealed class OutputTests
{
    private const string Yesterday = "yesterday's output\n";

    private static string Rubrics(TempDir dir) =>
        dir.Write("r.jsonl", """{"rubric_id": "r1", "prompt_id": "p", "criteria": [{"id": "a", "text": "Says hello.", "weight": 1}]}""" + "\n");

    [Fact]
    public void Convert_WithABadRow_LeavesThePreviousOutput()
    {
        using var dir = new TempDir();
        var input = dir.Write("in.jsonl", """{"rubric_id": "good", "criteria": [{"id": "a", "text": "A"}]}""" + "\n" + """{"rubric_id": "bad", "criteria": []}""" + "\n");
        var output = dir.Write("out.yaml", Yesterday);
        var result = CliProcess.Run("convert", input, "--out", output);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{input}:2: error: criteria: rubric has no criteria", result.Stderr);
        Assert.Contains($"{output} was left as it was", result.Stderr);
        Assert.Equal(Yesterday, File.ReadAllText(output));
        Assert.Equal(["in.jsonl", "out.yaml"], Directory.GetFiles(dir.Path).Select(Path.GetFileName).Order());
    }

    [Fact]
    public void Grade_WithABadRow_LeavesThePreviousOutput_KeepsTheGradedRowsBesideIt_AndTheFixedRunClearsThem()
    {
        using var dir = new TempDir();
        var rubrics = Rubrics(dir);
        const string Good = """{"prompt_id": "p", "response_id": "x", "response": "Hello there."}""";
        var responses = dir.Write("s.jsonl", Good + "\n" + """{"prompt_id": "p", "response_id": "y"}""" + "\n");
        var output = dir.Write("graded.jsonl", Yesterday);
        var partial = dir.File("graded.partial.jsonl");
        string[] Grade() => ["grade", "--rubrics", rubrics, "--responses", responses, "--judge", "sim", "--no-cache", "--summary", dir.File("summary.json"),
            "--out", output];

        var failed = CliProcess.Run(Grade());
        Assert.Equal(1, failed.ExitCode);
        Assert.Contains($"{responses}:2: error: response: required field is missing", failed.Stderr);
        Assert.Equal(Yesterday, File.ReadAllText(output));
        var kept = JsonDocument.Parse(Assert.Single(File.ReadAllLines(partial))).RootElement;
        Assert.Equal("x", kept.GetProperty("response_id").GetString());
        Assert.Contains($"the rows that could be read are in {partial}", failed.Stderr);
        using (var summary = JsonDocument.Parse(File.ReadAllText(dir.File("summary.json"))))
        {
            Assert.Equal(partial, summary.RootElement.GetProperty("output").GetString());
            Assert.Equal(1, summary.RootElement.GetProperty("input_errors").GetInt32());
        }

        dir.Write("s.jsonl", Good + "\n");
        Assert.Equal(0, CliProcess.Run(Grade()).ExitCode);
        Assert.Equal("x", JsonDocument.Parse(Assert.Single(File.ReadAllLines(output))).RootElement.GetProperty("response_id").GetString());
        Assert.False(File.Exists(partial));
        Assert.Empty(Directory.GetFiles(dir.Path, "*.tmp-*"));
    }

    [Fact]
    public void StaleTemporaryFiles_OfAKilledRun_AreRemovedByTheNextWrite_ButNotThoseOfALiveOne()
    {
        using var dir = new TempDir();
        var rubrics = Rubrics(dir);
        var verdicts = dir.Write("v.jsonl", """{"prompt_id": "p", "response_id": "x", "rubric_id": "r1", "verdicts": {"a": "met"}}""" + "\n");
        var output = dir.File("graded.jsonl");
        // A killed process's stage (no such process), and one of a process that is running (this one).
        var dead = dir.Write($"graded.jsonl.tmp-{DeadPid()}-0123456789abcdef.jsonl", "{\"torn\": ");
        var live = dir.Write($"graded.jsonl.tmp-{Environment.ProcessId}-fedcba9876543210.jsonl", "{\"in progress\": ");
        var result = CliProcess.Run("score", "--rubrics", rubrics, "--verdicts", verdicts, "--out", output);
        Assert.Equal(0, result.ExitCode);
        Assert.False(File.Exists(dead));
        Assert.True(File.Exists(live));
        Assert.Single(File.ReadAllLines(output));
    }

    [Fact]
    public async Task FullDisk_LeavesThePreviousOutputAndNoTemporaryFile()
    {
        // A 64 KiB tmpfs mounted in a private mount namespace (unshare; no change to the machine) holds the output;
        // 300 graded rows of 20 criteria need more.
        using var dir = new TempDir();
        var rubric = new { rubric_id = "r1", criteria = Enumerable.Range(0, 20).Select(i => new { id = $"c{i}", text = "A criterion." }) };
        var rubrics = dir.Write("r.jsonl", JsonSerializer.Serialize(rubric) + "\n");
        var verdicts = dir.Write("v.jsonl", string.Concat(Enumerable.Range(0, 300).Select(j => JsonSerializer.Serialize(new
        {
            prompt_id = "p", response_id = $"x{j}", rubric_id = "r1", verdicts = Enumerable.Range(0, 20).ToDictionary(i => $"c{i}", _ => "met"),
        }) + "\n")));
        var disk = Directory.CreateDirectory(dir.File("disk")).FullName;
        var script = $"""
            mount -t tmpfs -o size=64k tmpfs '{disk}' || exit 99
            printf "{Yesterday.TrimEnd()}" > '{disk}/graded.jsonl'
            dotnet '{CliProcess.CliDll}' score --rubrics '{rubrics}' --verdicts '{verdicts}' --out '{disk}/graded.jsonl' 2>&1
            echo "exit=$?"
            echo "content=$(cat '{disk}/graded.jsonl')"
            echo "files=$(ls -A '{disk}' | tr '\n' ' ')"
            """;
        var start = new ProcessStartInfo("unshare", ["--user", "--map-root-user", "--mount", "sh", "-c", script])
            { RedirectStandardOutput = true, RedirectStandardError = true };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromMinutes(2)).Token);
        var text = await stdout + await stderr;
        Assert.Contains("exit=1", text);
        Assert.Contains($"{disk}/graded.jsonl: error: cannot write: No space left on device; the file was left as it was", text);
        Assert.Contains($"content={Yesterday.TrimEnd()}", text);
        Assert.Contains("files=graded.jsonl \n", text + "\n");
    }

    /// <summary>A process id no process has now.</summary>
    private static int DeadPid()
    {
        for (var pid = 4_000_000; ; pid--)
        {
            try
            {
                using var p = Process.GetProcessById(pid);
            }
            catch (ArgumentException)
            {
                return pid;
            }
        }
    }
}
