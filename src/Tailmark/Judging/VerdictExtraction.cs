namespace Tailmark.Judging;

/// <summary>
/// What <see cref="VerdictExtractor"/> read from one judge answer: a verdict for some criteria of the call, and for
/// the others why there is none — per criterion (missing, two different answers, an unreadable "met") or for the whole
/// answer (no verdicts found, a criterion id that was not asked, cut off while reasoning).
/// </summary>
public sealed record VerdictExtraction(
    IReadOnlyDictionary<string, JudgeVerdictParser.Parsed> Verdicts,
    IReadOnlyDictionary<string, string> Problems,
    string? AnswerProblem,
    bool CutOffWhileReasoning)
{
    /// <summary>Whether every criterion asked got a verdict.</summary>
    public bool Complete => AnswerProblem is null && Problems.Count == 0;

    /// <summary>Why CRITERION has no verdict, or null when it has one.</summary>
    public string? ProblemFor(string criterion) =>
        Verdicts.ContainsKey(criterion) ? null : AnswerProblem ?? Problems.GetValueOrDefault(criterion) ?? "no verdict";

    /// <summary>One line naming what is wrong (for repair prompts and messages); null when complete.</summary>
    public string? Summary() =>
        AnswerProblem ?? (Problems.Count == 0 ? null : string.Join("; ",
            Problems.Take(3).Select(p => p.Value)) + (Problems.Count > 3 ? $"; and {Problems.Count - 3} more" : ""));
}
