using System.Text.Json;
using Tailmark.Io;
using Tailmark.Llm;
using Tailmark.Scoring;

namespace Tailmark.Cli.Commands;

/// <summary>What one `tailmark grade` run did: printed as a table, and written as JSON with <c>--summary</c>.</summary>
internal sealed record GradeSummary(int Written, RunStatistics Statistics, int CannotAssess, Usage Usage, long? CacheHits, TimeSpan Elapsed, string? OutPath,
    int InputErrors)
{
    /// <summary>Each judge replica's counts (endpoints with several URLs), for the summary table.</summary>
    public IReadOnlyList<ReplicaUsage> Replicas { get; init; } = [];

    public Task WriteJsonAsync(string path, CancellationToken ct) => JsonRowSink.WriteTextAsync(path, ToJson() + "\n", ct);

    public string ToJson() => JsonOutput.Render(w =>
        {
            w.WriteStartObject();
            w.WriteNumber("responses_graded", Written);
            if (Statistics.Mean is { } mean) w.WriteNumber("mean_reward", mean);
            else w.WriteNull("mean_reward");
            if (Statistics.BootstrapStd is { } std) w.WriteNumber("mean_reward_bootstrap_std", std);
            else w.WriteNull("mean_reward_bootstrap_std");
            w.WriteNumber("undefined_rewards", Statistics.Undefined);
            w.WriteNumber("cannot_assess_verdicts", CannotAssess);
            w.WriteNumber("input_errors", InputErrors);
            w.WriteStartObject("judge");
            w.WriteNumber("calls", Usage.Calls);
            w.WriteNumber("retries", Usage.Retries);
            w.WriteNumber("failed_calls", Usage.Failures);
            w.WriteNumber("unusable_answers", Usage.UnusableAnswers);
            w.WriteNumber("prompt_tokens", Usage.PromptTokens);
            w.WriteNumber("cached_prompt_tokens", Usage.CachedPromptTokens);
            w.WriteNumber("completion_tokens", Usage.CompletionTokens);
            w.WriteNumber("cost_usd", Usage.Cost);
            w.WriteEndObject();
            if (CacheHits is { } hits) w.WriteNumber("cache_hits", hits);
            else w.WriteNull("cache_hits");
            w.WriteNumber("wall_seconds", Math.Round(Elapsed.TotalSeconds, 3));
            w.WriteString("output", OutPath);
            w.WriteEndObject();
        }, indented: true);

    /// <summary>
    /// The summary of a sharded job from its parts' summaries and its merged rewards (in input order, so the statistics
    /// are a one-machine run's to the bit): the counts and the judges' usage add up, the wall time is the longest part's.
    /// </summary>
    public static GradeSummary Merge(IReadOnlyList<JsonElement> parts, IReadOnlyList<double?> rewards, bool clipRunMean, string outPath)
    {
        static long Long(JsonElement e, string name) => e.GetProperty(name).GetInt64();
        var usage = Usage.Zero;
        var cannotAssess = 0;
        long? hits = 0;
        var wall = 0.0;
        foreach (var part in parts)
        {
            var judge = part.GetProperty("judge");
            usage = usage.Add(new Usage(Long(judge, "calls"), Long(judge, "retries"), Long(judge, "failed_calls"), Long(judge, "prompt_tokens"),
                Long(judge, "cached_prompt_tokens"), Long(judge, "completion_tokens"), judge.GetProperty("cost_usd").GetDouble(), UnusableAnswers: Long(judge,
                    "unusable_answers")));
            cannotAssess += part.GetProperty("cannot_assess_verdicts").GetInt32();
            hits = part.GetProperty("cache_hits") is { ValueKind: JsonValueKind.Number } h && hits is { } sum ? sum + h.GetInt64() : null;
            wall = Math.Max(wall, part.GetProperty("wall_seconds").GetDouble());
        }
        return new GradeSummary(rewards.Count, RunStatistics.Compute(rewards, clipRunMean), cannotAssess, usage, hits, TimeSpan.FromSeconds(wall), outPath, 0);
    }
}
