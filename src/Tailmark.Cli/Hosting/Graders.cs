using Tailmark.Checks;
using Tailmark.Judging;
using Tailmark.Scoring;
using Tailmark.Storage;

namespace Tailmark.Cli.Hosting;

/// <summary>The grader the evaluation commands share: one judge endpoint, the verdict cache, checks and a scoring pipeline.</summary>
internal sealed class Graders : IDisposable
{
    private Graders(ResponseGrader grader, VerdictCache cache)
    {
        Grader = grader;
        Cache = cache;
    }

    public ResponseGrader Grader { get; }

    public VerdictCache Cache { get; }

    public static async Task<Graders> OpenAsync(Endpoints endpoints, string judgeSpec, string cachePath, JudgeOptions options, string? scoring, CancellationToken ct)
    {
        var pipeline = new RewardPipeline(ScoringConfigLoader.Load(scoring));
        var client = await endpoints.OpenAsync(judgeSpec, "sim-judge", null, ct);
        var cache = CacheOption.Open(cachePath);
        return new Graders(new ResponseGrader(new JudgeEngine([client], cache, options), new CheckRunner(), pipeline), cache);
    }

    public void Dispose() => Cache.Dispose();
}
