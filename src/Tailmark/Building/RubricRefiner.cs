using Tailmark.Grading;
using Tailmark.Io;
using Tailmark.Judging;
using Tailmark.Rubrics;
using Tailmark.Scoring;

namespace Tailmark.Building;

/// <summary>
/// Refinement-through-Differentiation for one prompt. Each round: grade the pool with the current rubric, pick a
/// pair (<see cref="PairSelector"/>), ask the proposer for the full refined rubric, validate it, record the diff.
/// The pool is graded through the grading walk, with the layers of the run's rubric set. A failed refinement keeps the
/// previous rubric and says why. Stops after the configured rounds or when fewer
/// than two responses remain (with <c>ExcludeUsed</c>, responses already contrasted leave the pool). Rounds are
/// saved as they finish, so a killed run resumes where it stopped. A saved round whose proposal failed is not a
/// checkpoint: it and the rounds after it are asked again (as CannotAssess is never cached), so a run stopped by an
/// unusable proposer leaves no trace once the proposer is fixed.
/// </summary>
public sealed class RubricRefiner(BatchGrader grading, ProposerClient proposer, RefineOptions options, RoundStore? store = null, RubricSet? layers = null)
{
    private readonly RubricSet _layers = layers ?? RubricSet.Empty;

    public async Task<(Rubric Final, IReadOnlyList<RoundRecord> Rounds)> RefineAsync(Rubric initial, IReadOnlyList<ResponseRow> pool,
        CancellationToken cancellationToken = default)
    {
        var promptId = initial.PromptId ?? initial.Id;
        var conversation = JudgePrompts.Conversation(initial.Prompt);
        var current = initial;
        var rounds = new List<RoundRecord>();
        var used = new HashSet<string>(StringComparer.Ordinal);
        var resuming = store is not null;
        for (var round = 1; round <= options.Iterations; round++)
        {
            var saved = resuming ? store!.Load(initial, round) : null;
            resuming = saved is { Problem: null };
            if (saved is { Problem: null })
            {
                rounds.Add(saved);
                current = saved.Rubric;
                if (saved.ResponseA is not null) used.Add(saved.ResponseA);
                if (saved.ResponseB is not null) used.Add(saved.ResponseB);
                continue;
            }
            var candidates = options.ExcludeUsed ? pool.Where(r => !used.Contains(r.ResponseId)).ToList() : [.. pool];
            if (candidates.Count < 2) break;
            // The pool is ranked by the reward a trainer would see: the current rubric with its layers.
            var graded = await grading.GradeAllAsync(candidates.Select(r => _layers.ItemFor(current, r)), null, cancellationToken).ConfigureAwait(false);
            var scored = graded.Select(o =>
                new ScoredResponse(o.Item.Response.ResponseId, o.Item.Response.Generator, o.GradedOrThrow().Result.Reward)).ToList();
            var pair = PairSelector.Select(scored, options.Pair, options.Seed, promptId)!.Value;
            used.Add(pair.A.ResponseId);
            used.Add(pair.B.ResponseId);
            var a = pool.First(r => r.ResponseId == pair.A.ResponseId).Response;
            var b = pool.First(r => r.ResponseId == pair.B.ResponseId).Response;
            var (criteria, problem) = await proposer.AskAsync(ProposerPrompts.RefineSystem, ProposerPrompts.Refine(conversation, current, a, b),
                cancellationToken).ConfigureAwait(false);
            var next = criteria is null ? current : current with { Criteria = criteria.Value, Version = current.Version + 1 };
            if (criteria is not null)
            {
                var log = new IssueLog("refinement");
                RubricValidator.Validate(next, log);
                if (log.HasErrors)
                {
                    problem = "refined rubric invalid: " + string.Join("; ", log.Issues.Where(i => i.IsError).Select(i => $"{i.Field}: {i.Message}"));
                    next = current;
                }
            }
            var record = new RoundRecord(round, scored.ToDictionary(s => s.ResponseId, s => s.Score, StringComparer.Ordinal),
                pair.A.ResponseId, pair.B.ResponseId, next, RubricDiff.Between(current, next), ReferenceEquals(next, current), problem);
            store?.Save(record);
            rounds.Add(record);
            current = next;
        }
        return (current, rounds);
    }
}
