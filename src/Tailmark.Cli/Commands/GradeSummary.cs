using System.Text.Json;
using Tailmark.Io;
using Tailmark.Llm;
using Tailmark.Scoring;

namespace Tailmark.Cli.Commands;

/// <summary>What one `tailmark grade` run did: printed as a table, and written as JSON with <c>--summary</c>.</summary>
internal sealed record GradeSummary(int Written, RunStatistics Statistics, int CannotAssess, Usage Usage, long? CacheHits, TimeSpan Elapsed, string? OutPath, int InputErrors)
{
    /// <summary>Each judge replica's counts (endpoints with several URLs), for the summary table.</summary>
    public IReadOnlyList<ReplicaUsage> Replicas { get; init; } = [];

    public async Task WriteJsonAsync(string path, CancellationToken ct)
    {
        var json = JsonOutput.Render(w =>
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
        await JsonRowSink.WriteTextAsync(path, json + "\n", ct);
    }
}
