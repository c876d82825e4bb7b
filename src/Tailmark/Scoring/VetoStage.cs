namespace Tailmark.Scoring;

/// <summary>
/// Stage 2: a violated veto decides the reward alone. A positive veto criterion is violated when not met; a
/// negative one (a forbidden behaviour) when met. An unassessed veto violates nothing but is reported.
/// </summary>
internal static class VetoStage
{
    public static void Apply(ScoreWork work)
    {
        if (!work.Config.VetoEnabled) return;
        foreach (var item in work.Items.Where(i => i.Criterion.Veto))
        {
            var status = item.Verdict.Status;
            if (status == VerdictStatus.CannotAssess)
            {
                work.Diagnostics.Add(new("veto_unassessed", "a veto criterion could not be assessed", item.Criterion.Id));
                continue;
            }
            var violated = item.Weight >= 0 ? status == VerdictStatus.NotMet : status == VerdictStatus.Met;
            if (violated && work.VetoedBy is null)
            {
                work.VetoedBy = item.Criterion.Id;
                work.Diagnostics.Add(new("veto", $"veto criterion violated; reward set to {work.Config.VetoValue}", item.Criterion.Id));
            }
        }
    }
}
