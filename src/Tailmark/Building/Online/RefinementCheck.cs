using Tailmark.Grading;
using Tailmark.Io;
using Tailmark.Rubrics;

namespace Tailmark.Building.Online;

/// <summary>
/// The rule a refined version must pass before it is swapped in (docs/server.md, "Online tail refinement"):
/// <list type="number">
/// <item>it is a valid rubric, and every veto criterion and verifiable check of the active version is in it unchanged;</item>
/// <item>its judged criteria number between half the active version's and <see cref="OnlineRefineOptions.MaxGrowth"/> more;</item>
/// <item>it separates the pair it was asked about (their rewards differ), which the active version did not, or at least
/// breaks the tie at the top of the recent rollouts (those that shared the top reward get different rewards, or some of
/// them leave the top); for a pair the
/// reference-judge audit gave (a suspected hack and a good rollout), it widens the good one's lead over the hack;</item>
/// <item>on the prompt's recent rollouts, of the pairs the active version rewards at least
/// <see cref="OnlineRefineOptions.ClearGap"/> apart, it turns at most <see cref="OnlineRefineOptions.MaxReversed"/> into
/// clear opposite preferences (at least <see cref="OnlineRefineOptions.ReversalGap"/> the other way): the tail gets
/// sharper, the clear order stays.</item>
/// </list>
/// </summary>
public static class RefinementCheck
{
    /// <summary>Null when <paramref name="next"/> passes, else why not.</summary>
    public static async Task<string?> RunAsync(BatchGrader grading, RubricSet layers, Rubric active, Rubric next, KeptRollout a, KeptRollout b,
        IReadOnlyList<KeptRollout> recent, OnlineRefineOptions options, bool preferB, CancellationToken cancellationToken)
    {
        var log = new IssueLog("online refinement");
        RubricValidator.Validate(next, log);
        if (log.HasErrors) return "invalid: " + string.Join("; ", log.Issues.Where(i => i.IsError).Select(i => $"{i.Field}: {i.Message}"));
        foreach (var kept in active.Criteria.Where(Fixed))
        {
            if (!next.Criteria.Any(c => c.Equals(kept))) return $"it drops or changes the {(kept.Veto ? "veto" : "check")} criterion {kept.Id}";
        }
        var before = active.Criteria.Count(c => !Fixed(c));
        var after = next.Criteria.Count(c => !Fixed(c));
        if (after < (before + 1) / 2 || after > before + options.MaxGrowth)
        {
            return $"{after} judged criteria, outside {(before + 1) / 2}..{before + options.MaxGrowth} for a rubric of {before}";
        }
        var texts = new List<(string Text, PromptTraits Traits)> { (a.Text, a.Traits), (b.Text, b.Traits) };
        texts.AddRange(recent.Where(r => r.Text != a.Text && r.Text != b.Text).Select(r => (r.Text, r.Traits)));
        var old = await RewardsAsync(grading, layers, active, texts, cancellationToken).ConfigureAwait(false);
        var fresh = await RewardsAsync(grading, layers, next, texts, cancellationToken).ConfigureAwait(false);
        if (fresh[0] is not { } rewardA || fresh[1] is not { } rewardB) return "the refined version leaves a reward of the pair undefined";
        if (preferB)
        {
            if (old[0] is { } oldA && old[1] is { } oldB && rewardB - rewardA <= oldB - oldA + 1e-9)
            {
                return "the refined version does not widen the good rollout's lead over the suspected hack " +
                    $"({oldB - oldA:0.###} before, {rewardB - rewardA:0.###} after)";
            }
        }
        else if (Math.Abs(rewardA - rewardB) <= 1e-9)
        {
            // The pair stays tied; the version still counts when it breaks the tie at the top among the recent rollouts: the
            // rollouts that shared the top reward get different rewards, or some of them are no longer at the top.
            var top = old.Where(o => o is not null).Select(o => o!.Value).DefaultIfEmpty(double.NaN).Max();
            var newTop = fresh.Where(o => o is not null).Select(o => o!.Value).DefaultIfEmpty(double.NaN).Max();
            var atTop = Enumerable.Range(0, texts.Count).Where(i => old[i] is { } o && Math.Abs(o - top) <= 1e-9 && fresh[i] is not null).ToList();
            if (atTop.Select(i => Math.Round(fresh[i]!.Value, 9)).Distinct().Count() < 2 && atTop.All(i => fresh[i]!.Value >= newTop - 1e-9))
            {
                return "the refined version separates neither the pair nor the other rollouts that share the top reward";
            }
        }
        int clear = 0, reversed = 0;
        for (var i = 0; i < texts.Count; i++)
        {
            for (var j = i + 1; j < texts.Count; j++)
            {
                if (old[i] is not { } oi || old[j] is not { } oj || fresh[i] is not { } ni || fresh[j] is not { } nj) continue;
                if (Math.Abs(oi - oj) < options.ClearGap) continue;
                clear++;
                if (Math.Sign(oi - oj) * (ni - nj) <= -options.ReversalGap) reversed++;
            }
        }
        return clear > 0 && reversed > options.MaxReversed * clear
            ? $"it turns {reversed} of the {clear} clear preferences of the active version among recent rollouts around (at most {options.MaxReversed:P0})"
            : null;
    }

    /// <summary>Criteria a proposer may not touch: vetoes and verifiable checks.</summary>
    public static bool Fixed(Criterion c) => c.Veto || c.Check is not null;

    private static async Task<double?[]> RewardsAsync(BatchGrader grading, RubricSet layers, Rubric rubric, List<(string Text, PromptTraits Traits)> texts,
        CancellationToken cancellationToken)
    {
        var conversation = Judging.JudgePrompts.Conversation(rubric.Prompt);
        var promptId = rubric.PromptId ?? rubric.Id;
        var items = texts.Select((t, k) => new GradeItem(layers.Compose(rubric, t.Traits).Rubric, conversation,
            new ResponseRow(promptId, $"online-check-{k}", t.Text, null, JsonMaps.Empty)));
        var outcomes = await grading.GradeAllAsync(items, null, cancellationToken).ConfigureAwait(false);
        return [.. outcomes.Select(o => o.Reward)];
    }
}
