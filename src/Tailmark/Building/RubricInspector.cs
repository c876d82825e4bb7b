using Tailmark.Grading;
using Tailmark.Io;
using Tailmark.Rubrics;
using Tailmark.Scoring;

namespace Tailmark.Building;

/// <summary>
/// Grades a pool with a rubric (with its layers, through the grading walk) and reports what each of the rubric's own
/// criteria contributes (see <see cref="RubricReport"/>); the top responses are those of the reward with its layers.
/// </summary>
public sealed class RubricInspector(BatchGrader grading, int topK = 4, RubricSet? layers = null)
{
    private readonly RubricSet _layers = layers ?? RubricSet.Empty;

    public async Task<RubricReport> InspectAsync(Rubric rubric, IReadOnlyList<ResponseRow> pool, CancellationToken cancellationToken = default)
    {
        var graded = (await grading.GradeAllAsync(pool.Select(r => _layers.ItemFor(rubric, r)), null, cancellationToken).ConfigureAwait(false))
            .Select(o => o.GradedOrThrow()).ToList();
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
