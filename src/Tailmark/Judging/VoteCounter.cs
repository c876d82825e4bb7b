using Tailmark.Rubrics;
using Tailmark.Scoring;

namespace Tailmark.Judging;

/// <summary>
/// Majority over the votes on one criterion (all judges of an ensemble pooled). Votes that failed do not count;
/// if none counts, the criterion is CannotAssess with the first failure's reason. A tie follows the
/// <see cref="TiePolicy"/>. P(yes) is the mean of the votes' P(yes) when the judges gave log probabilities, else
/// the share of "met" votes when there were several. An ordinal level is the declared level nearest to the mean
/// of the winning votes' levels.
/// </summary>
internal static class VoteCounter
{
    public static Verdict Decide(Criterion criterion, IReadOnlyList<Vote> votes, TiePolicy ties)
    {
        var counted = votes.Where(v => v.Met is not null).ToList();
        if (counted.Count == 0) return Verdict.CannotAssess((votes.Count > 0 ? votes[0]?.Reason : null) ?? "no vote");
        var met = counted.Count(v => v.Met == true);
        var notMet = counted.Count - met;
        bool? decision = met > notMet ? true : notMet > met ? false : ties switch
        {
            TiePolicy.Met => true,
            TiePolicy.NotMet => false,
            _ => null,
        };
        if (decision is null) return Verdict.CannotAssess($"votes tied {met}-{notMet}");
        var winners = counted.Where(v => v.Met == decision).ToList();
        var pYesVotes = counted.Where(v => v.PYes is not null).Select(v => v.PYes!.Value).ToList();
        double? pYes = pYesVotes.Count > 0 ? pYesVotes.Average() : counted.Count > 1 ? (double)met / counted.Count : null;
        double? level = null;
        if (criterion.Scale is { } scale)
        {
            var levels = winners.Where(v => v.Level is not null).Select(v => v.Level!.Value).ToList();
            var target = levels.Count > 0 ? levels.Average() : decision.Value ? scale.Levels[^1].Value : scale.Levels[0].Value;
            level = scale.Levels.MinBy(l => Math.Abs(l.Value - target))!.Value;
        }
        var reason = winners[0].Reason;
        if (counted.Count > 1) reason = $"{met} of {counted.Count} votes met" + (reason is null ? "" : $"; {reason}");
        return new Verdict(decision.Value ? VerdictStatus.Met : VerdictStatus.NotMet, level, pYes, reason);
    }
}
