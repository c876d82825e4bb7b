using Tailmark.Checks;
using Tailmark.Grading;
using Tailmark.Judging;
using Tailmark.Llm;
using Tailmark.Scoring;
using Tailmark.Storage;

namespace Tailmark.Cli.Hosting;

/// <summary>
/// The grading walk the evaluation commands share: one judge endpoint, the verdict cache, checks and a scoring
/// pipeline behind a <see cref="BatchGrader"/> that keeps the judge busy.
/// </summary>
internal sealed class Graders : IDisposable
{
    private Graders(BatchGrader batch, VerdictCache cache)
    {
        Batch = batch;
        Cache = cache;
    }

    public BatchGrader Batch { get; }

    public VerdictCache Cache { get; }

    public static async Task<Graders> OpenAsync(Endpoints endpoints, string judgeSpec, string cachePath, JudgeOptions options, string? scoring,
        CancellationToken ct)
    {
        var pipeline = new RewardPipeline(ScoringConfigLoader.Load(scoring));
        var client = await endpoints.OpenAsync(judgeSpec, "sim-judge", null, ct);
        var cache = CacheOption.Open(cachePath);
        var grader = new ResponseGrader(new JudgeEngine([client], cache, options), new CheckRunner(), pipeline);
        // As many responses in flight as the judge takes calls at once (at least 16), so that it stays busy.
        var batch = new BatchGrader(grader,
            new BatchGraderOptions { Concurrency = Math.Max(16, client.Endpoint().Limits.Concurrency), Time = CommandRunner.Time });
        return new Graders(batch, cache);
    }

    public void Dispose()
    {
        Batch.Dispose();
        Cache.Dispose();
    }
}
