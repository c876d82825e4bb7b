using System.Collections.Immutable;
using System.Text.Json;
using Tailmark.Checks;
using Tailmark.Io;
using Tailmark.Rubrics;
using Tailmark.Scoring;

namespace Tailmark.Judging;

/// <summary>
/// Grades one response against its (composed) rubric: verifiable criteria by their checks, with no call; judged
/// criteria by the judge engine (except injection criteria when the detector fires); then the scoring pipeline. Without a judge, judged criteria are
/// CannotAssess
/// ("no judge configured"). A response longer than <c>maxResponseChars</c> is not sent to a judge: no judge's context
/// holds it, and every call would carry it (memory grows about fifty bytes per character of a response while its
/// calls are made, docs/reliability.md); its judged criteria are CannotAssess, so the coverage rule leaves its reward
/// undefined, while its verifiable criteria are still checked.
/// </summary>
public sealed class ResponseGrader(JudgeEngine? judge, CheckRunner checks, RewardPipeline pipeline,
    int maxResponseChars = ResponseGrader.DefaultMaxResponseChars)
{
    /// <summary>A million characters (about 250,000 tokens): more than any judge's context window.</summary>
    public const int DefaultMaxResponseChars = 1_000_000;

    public RewardPipeline Pipeline => pipeline;

    /// <summary>The judges' usage so far; zero without a judge.</summary>
    public Llm.Usage JudgeUsage() => judge?.JudgeUsage() ?? Llm.Usage.Zero;

    public async Task<GradedResponse> GradeAsync(Rubric rubric, string conversation, ResponseRow response, CancellationToken cancellationToken = default)
    {
        var (verdicts, diagnostics, judged) = Prepare(rubric, response.Response);
        int calls = 0, hits = 0;
        if (judged.Count > 0)
        {
            if (judge is null)
            {
                foreach (var c in judged) verdicts[c.Id] = Verdict.CannotAssess("no judge configured");
            }
            else if (response.Response.Length > maxResponseChars)
            {
                var reason = $"the response has {response.Response.Length:#,0} characters, more than the {maxResponseChars:#,0} a judge is sent";
                foreach (var c in judged) verdicts[c.Id] = Verdict.CannotAssess(reason);
            }
            else
            {
                var result = await judge.GradeAsync(conversation, response.Response, judged, cancellationToken).ConfigureAwait(false);
                foreach (var (id, v) in result.Verdicts) verdicts[id] = v;
                diagnostics.AddRange(result.Diagnostics);
                calls = result.Calls;
                hits = result.CacheHits;
            }
        }
        // The generator passes through to the graded row, so that reports can split scores by model.
        var extra = response.Generator is { } generator && !response.Extra.ContainsKey("generator")
            ? response.Extra.SetItem("generator", JsonSerializer.SerializeToElement(generator, TailmarkJsonContext.Default.String))
            : response.Extra;
        var row = new VerdictRow(response.PromptId, response.ResponseId, rubric.Id, verdicts.ToImmutableSortedDictionary(StringComparer.Ordinal), extra);
        var reward = pipeline.Score(rubric, row.Verdicts);
        return new GradedResponse(row, reward with { Diagnostics = [.. diagnostics, .. reward.Diagnostics] }, calls, hits);
    }

    /// <summary>
    /// What grading this response would ask the judges, without asking (see <see cref="JudgeEngine.Plan"/>), and how
    /// many of its verdicts need no judge (verifiable checks, detected injection). Empty plans without a judge.
    /// </summary>
    public (IReadOnlyList<JudgePlan> Judges, int WithoutJudge) Plan(Rubric rubric, string conversation, string response)
    {
        var (verdicts, _, judged) = Prepare(rubric, response);
        return (judge is null || judged.Count == 0 || response.Length > maxResponseChars ? [] : judge.Plan(conversation, response, judged), verdicts.Count);
    }

    // The verdicts that need no judge, the diagnostics found on the way, and the criteria left for the judges.
    private (Dictionary<string, Verdict> Verdicts, List<RewardDiagnostic> Diagnostics, List<Criterion> Judged) Prepare(Rubric rubric, string response)
    {
        var verdicts = VerifiableVerdicts.Fill(rubric, new Dictionary<string, Verdict>(), response, checks);
        // Text addressed to the grader is detected without asking a judge, which such text may sway: criteria
        // tagged "injection" (the defense rubric's defense.addresses_grader) are met when it is found.
        var diagnostics = new List<RewardDiagnostic>();
        if (InjectionDetector.Find(response) is { } passage)
        {
            diagnostics.Add(new RewardDiagnostic("injection_suspected", $"the response addresses the grader: \"{JudgeVerdictParser.Clip(passage, 120)}\""));
            foreach (var c in rubric.Criteria.Where(c => c.Check is null && c.Tags.Contains("injection")))
            {
                verdicts[c.Id] = new Verdict(VerdictStatus.Met, Reason: $"text addressed to the grader: \"{JudgeVerdictParser.Clip(passage, 120)}\"");
            }
        }
        return (verdicts, diagnostics, rubric.Criteria.Where(c => c.Check is null && !verdicts.ContainsKey(c.Id)).ToList());
    }
}
