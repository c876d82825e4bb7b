using Tailmark.Judging;
using Tailmark.Scoring;

namespace Tailmark.Monitoring;

/// <summary>
/// The counts of one prompt's rollouts in one step: sums, not means, so the steps of several reward-server replicas
/// add up to the figures one server would have computed (pooled mean and variance, pass rates over all rollouts).
/// </summary>
public sealed class MonitorStep
{
    public int Items { get; private set; }

    /// <summary>Items that got a reward (an ungraded or vetoed-to-null item counts in <see cref="Items"/> only).</summary>
    public int Scored { get; private set; }

    public double RewardSum { get; private set; }

    public double RewardSquares { get; private set; }

    /// <summary>Characters over all responses.</summary>
    public long LengthSum { get; private set; }

    public int Vetoes { get; private set; }

    public int Injections { get; private set; }

    /// <summary>Rollouts graded again by the reference judge (<c>serve --audit-judge</c>), with both rewards summed.</summary>
    public int Audited { get; private set; }

    public double AuditTrainingSum { get; private set; }

    public double AuditReferenceSum { get; private set; }

    private readonly Dictionary<string, (int Met, int Assessed)> _criteria = new(StringComparer.Ordinal);

    /// <summary>Per criterion: rollouts that met it, and rollouts it could be assessed on (CannotAssess is left out).</summary>
    public IReadOnlyDictionary<string, (int Met, int Assessed)> Criteria => _criteria;

    public void Record(GradedResponse graded, int responseLength)
    {
        Items++;
        if (graded.Result.Reward is { } r) AddReward(1, r, r * r);
        LengthSum += responseLength;
        if (graded.Result.Breakdown.VetoedBy is not null) Vetoes++;
        if (graded.Result.Diagnostics.Any(d => d.Code == "injection_suspected")) Injections++;
        foreach (var (id, v) in graded.Row.Verdicts)
        {
            if (v.Status != VerdictStatus.CannotAssess) AddCriterion(id, v.Status == VerdictStatus.Met ? 1 : 0, 1);
        }
    }

    /// <summary>Adds counts read back from a replica's monitor.</summary>
    public void Add(int items, int scored, double rewardSum, double rewardSquares, long lengthSum, int vetoes, int injections)
    {
        Items += items;
        AddReward(scored, rewardSum, rewardSquares);
        LengthSum += lengthSum;
        Vetoes += vetoes;
        Injections += injections;
    }

    /// <summary>One audited rollout: the reward the trainer got and the reference judge's reward for the same response.</summary>
    public void RecordAudit(double training, double reference) => AddAudits(1, training, reference);

    public void AddAudits(int audited, double trainingSum, double referenceSum)
    {
        Audited += audited;
        AuditTrainingSum += trainingSum;
        AuditReferenceSum += referenceSum;
    }

    public void AddCriterion(string id, int met, int assessed)
    {
        var (m, a) = _criteria.GetValueOrDefault(id);
        _criteria[id] = (m + met, a + assessed);
    }

    public void Add(MonitorStep other)
    {
        Add(other.Items, other.Scored, other.RewardSum, other.RewardSquares, other.LengthSum, other.Vetoes, other.Injections);
        foreach (var (id, (met, assessed)) in other._criteria) AddCriterion(id, met, assessed);
        AddAudits(other.Audited, other.AuditTrainingSum, other.AuditReferenceSum);
    }

    private void AddReward(int scored, double sum, double squares)
    {
        Scored += scored;
        RewardSum += sum;
        RewardSquares += squares;
    }

    public double? MeanReward => Scored > 0 ? RewardSum / Scored : null;

    /// <summary>The population standard deviation of the rewards (what the monitor always reported).</summary>
    public double? RewardStd => MeanReward is { } mean ? Math.Sqrt(Math.Max(0, RewardSquares / Scored - mean * mean)) : null;

    public double MeanLength => Items == 0 ? 0 : (double)LengthSum / Items;

    /// <summary>Criteria passed by at least RATE of at least MINIMUM assessed rollouts, in id order.</summary>
    public IEnumerable<string> Saturated(double rate, int minimum) =>
        _criteria.Where(kv => kv.Value.Assessed >= minimum && (double)kv.Value.Met / kv.Value.Assessed >= rate).Select(kv =>
            kv.Key).Order(StringComparer.Ordinal);
}
