using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tailmark.Building;
using Tailmark.Io;

namespace Tailmark.Evaluation.Report;

/// <summary>
/// The rubric diffs of each refinement round, read from a refine run's <c>rounds/PROMPT/round-K.json</c>: a chart of
/// criteria added, removed and re-weighted per round (all prompts), and one table of diffs per prompt.
/// </summary>
public static class RefinementSection
{
    public const int MaxPromptTables = 500;

    public sealed record Round(string PromptId, int Number, IReadOnlyList<string> Added, IReadOnlyList<string> Removed, IReadOnlyList<string> Reweighted,
        bool KeptPrevious, string? Problem, int Criteria);

    /// <summary>Every round file under <paramref name="roundsDir"/>, read as <c>refine</c> resumes them; every problem located.</summary>
    public static Task<List<Round>> ReadAsync(string roundsDir, CancellationToken ct = default)
    {
        var rounds = new List<Round>();
        var issues = new List<InputIssue>();
        foreach (var file in Directory.EnumerateFiles(roundsDir, "round-*.json", SearchOption.AllDirectories).Order(StringComparer.Ordinal))
        {
            ct.ThrowIfCancellationRequested();
            var log = new IssueLog(file);
            if (RoundStore.Read(file, log) is { } r)
            {
                rounds.Add(new Round(r.Rubric.PromptId ?? r.Rubric.Id, r.Round, r.Diff.Added, r.Diff.Removed,
                    [.. r.Diff.Reweighted.Select(x => $"{x.Text} ({N(x.From)} → {N(x.To)})")], r.KeptPrevious, r.Problem, r.Rubric.Criteria.Length));
            }
            issues.AddRange(log.Issues.Where(i => i.IsError));
        }
        if (issues.Count > 0) throw new InputException(issues);
        return Task.FromResult(rounds);
    }

    private static string N(double value) => value.ToString(CultureInfo.InvariantCulture);

    public static ReportSection Build(IReadOnlyList<Round> rounds, string source)
    {
        var numbers = rounds.Select(r => r.Number).Distinct().Order().ToList();
        JsonNode? Sum(int n, Func<Round, int> pick) => rounds.Where(r => r.Number == n).Sum(pick);
        var datasets = new[]
        {
            ChartSpec.BarDataset("added", numbers.Select(n => Sum(n, r => r.Added.Count)), 2, "diff"),
            ChartSpec.BarDataset("removed", numbers.Select(n => Sum(n, r => r.Removed.Count)), 3, "diff"),
            ChartSpec.BarDataset("re-weighted", numbers.Select(n => Sum(n, r => r.Reweighted.Count)), 1, "diff"),
        };
        var chart = new ReportChart("refinement-diffs",
            $"Criteria added, removed and re-weighted in each round, summed over {rounds.Select(r => r.PromptId).Distinct().Count()} prompts.",
            ChartSpec.Bars(numbers.Select(n => $"round {n}"), datasets, "refinement round", "criteria changed", stacked: true));
        var kept = rounds.Count(r => r.KeptPrevious);
        var summary = new ReportTable("Rounds", ["round", "prompts", "added", "removed", "re-weighted", "kept previous rubric", "mean criteria after"],
            [.. numbers.Select(n =>
            {
                var rs = rounds.Where(r => r.Number == n).ToList();
                return (IReadOnlyList<string>)[I(n), I(rs.Count), I(rs.Sum(r => r.Added.Count)), I(rs.Sum(r => r.Removed.Count)),
                    I(rs.Sum(r => r.Reweighted.Count)), I(rs.Count(r => r.KeptPrevious)),
                    rs.Average(r => r.Criteria).ToString("0.0", CultureInfo.InvariantCulture)];
            })]);
        // One table per prompt, up to MaxPromptTables of them (a page with thousands would not open comfortably).
        var details = rounds.GroupBy(r => r.PromptId).OrderBy(g => g.Key, StringComparer.Ordinal).Take(MaxPromptTables).Select(g => new ReportTable(
            $"{g.Key}: {g.Count()} rounds", ["round", "change", "criterion"],
            [.. g.OrderBy(r => r.Number).SelectMany(r => Changes(r))])).ToList();
        var prompts = rounds.Select(r => r.PromptId).Distinct().Count();
        var shown = prompts > MaxPromptTables ? $" Tables below: the first {I(MaxPromptTables)} of {I(prompts)} prompts." : "";
        return new ReportSection("Rubric refinement",
            $"Refinement-through-Differentiation rounds (from {source}): each round the proposer saw the two best responses and rewrote the rubric to " +
                $"separate them. " +
            (kept > 0 ? $"{kept} rounds kept the previous rubric after a failed proposal (the reason is in the prompt's table)." : "No round failed.") + shown,
            [chart], [summary], details);
    }

    private static IEnumerable<IReadOnlyList<string>> Changes(Round r)
    {
        var number = I(r.Number);
        if (r.KeptPrevious) yield return [number, "kept previous", r.Problem ?? ""];
        foreach (var a in r.Added) yield return [number, "added", a];
        foreach (var a in r.Removed) yield return [number, "removed", a];
        foreach (var a in r.Reweighted) yield return [number, "re-weighted", a];
        if (!r.KeptPrevious && r.Added.Count + r.Removed.Count + r.Reweighted.Count == 0) yield return [number, "no change", ""];
    }

    private static string I(int v) => v.ToString(CultureInfo.InvariantCulture);
}
