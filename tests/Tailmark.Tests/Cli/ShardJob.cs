using System.Text.Json;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Cli;

/// <summary>A grading job on the simulated judge, run whole by one `tailmark grade` or in parts by `grade --shard I/N` and `merge`.</summary>
internal sealed class ShardJob(TempDir dir, string rubrics, string responses)
{
    public static ShardJob Write(TempDir dir, int tasks = 8, int perTask = 3)
    {
        var (rubrics, responses) = SimFixtures.WriteGradeInputs(dir, tasks, perTask);
        return new ShardJob(dir, rubrics, responses);
    }

    public string Rubrics => rubrics;

    public string Responses => responses;

    public string[] Grade(string output, string cache, params string[] extra) =>
        ["grade", "--rubrics", rubrics, "--responses", responses, "--judge", "sim", "--sim-tasks", "8", "--cache", cache, "--out", dir.File(output), .. extra];

    /// <summary>The part file of part I.</summary>
    public string Part(int i) => dir.File($"part{i}.jsonl");

    /// <summary>The input lines the part's manifest lists.</summary>
    public static List<int> Lines(string part)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(part + ".shard.json"));
        return [.. doc.RootElement.GetProperty("output").GetProperty("lines").EnumerateArray().Select(l => l.GetInt32())];
    }

    /// <summary>The non-blank lines of the input, numbered from 1.</summary>
    public List<int> InputLines() =>
        [.. File.ReadAllLines(responses).Select((text, i) => (text, line: i + 1)).Where(x => x.text.Trim().Length > 0).Select(x => x.line)];

    /// <summary>A summary's fields that do not depend on how the work was spread (not usage, cache hits, wall time or the output's name).</summary>
    public static string Outcome(string summaryPath)
    {
        using var doc = JsonDocument.Parse(File.ReadAllBytes(summaryPath));
        var r = doc.RootElement;
        return string.Join("|", new[] { "responses_graded", "mean_reward", "mean_reward_bootstrap_std", "undefined_rewards", "cannot_assess_verdicts",
            "input_errors" }
            .Select(name => $"{name}={r.GetProperty(name).GetRawText()}"));
    }
}
