using Tailmark.Io;
using Tailmark.Judging;
using Tailmark.Rubrics;
using Tailmark.Scoring;

namespace Tailmark.Building;

/// <summary>Grades a pool with a rubric and reports what each criterion contributes (see <see cref="RubricReport"/>).</summary>
public sealed class RubricInspector(ResponseGrader grader, int topK = 4)
{
    public async Task<RubricReport> InspectAsync(Rubric rubric, IReadOnlyList<ResponseRow> pool, CancellationToken cancellationToken = default)
    {
        var conversation = JudgePrompts.Conversation(rubric.Prompt);
        var graded = new List<GradedResponse>();
        foreach (var r in pool) graded.Add(await grader.GradeAsync(rubric, conversation, r, cancellationToken).ConfigureAwait(false));
        // A verdict vector per criterion: one letter per response (m, n or ? for CannotAssess).
        string Vector(Criterion c) => string.Concat(graded.Select(g => g.Row.Verdicts.TryGetValue(c.Id, out var v)
            ? v.Status switch { VerdictStatus.Met => 'm', VerdictStatus.NotMet => 'n', _ => '?' } : '?'));
        var vectors = rubric.Criteria.ToDictionary(c => c.Id, Vector, StringComparer.Ordinal);
        var criteria = rubric.Criteria.Select(c =>
        {
            var v = vectors[c.Id];
            // Redundancy is only worth reporting among criteria that separate something (both verdicts occur).
            var separates = v.Contains('m', StringComparison.Ordinal) && v.Contains('n', StringComparison.Ordinal);
            return new CriterionReport(c.Id, c.Text, c.Weight, v.Count(ch => ch != '?'), v.Count(ch => ch == 'm'),
                separates ? [.. rubric.Criteria.Where(o => o.Id != c.Id && vectors[o.Id] == v).Select(o => o.Id)] : []);
        }).ToList();
        var scores = graded.Select(g => g.Result.Reward).Where(r => r is not null).Select(r => r!.Value).OrderDescending().ToList();
        var top = scores.Take(topK).ToList();
        var tied = top.Count(s => top.Count(t => t.Equals(s)) > 1);
        return new RubricReport(rubric.Id, pool.Count, criteria, top.Count >= 2 ? top[0] - top[1] : null,
            top.Count == 0 ? 0 : (double)tied / top.Count, top.Count,
            rubric.Criteria.Where(c => c.Weight > 0).Sum(c => c.Weight), rubric.Criteria.Where(c => c.Weight < 0).Sum(c => c.Weight));
    }
}
