namespace Tailmark.Scoring;

/// <summary>
/// Stage 4: pairwise interactions. For each pair (a, b) with weight w, both counted: a synergy adds w·v_a·v_b
/// and adds w to the positive mass; a conflict subtracts w·v_a·v_b. A pair with an uncounted member is skipped.
/// </summary>
internal static class InteractionStage
{
    public static void Apply(ScoreWork work)
    {
        foreach (var pair in work.Config.Interactions)
        {
            var a = work.Items.FirstOrDefault(i => i.Criterion.Id == pair.First);
            var b = work.Items.FirstOrDefault(i => i.Criterion.Id == pair.Second);
            if (a is null || b is null || !a.Counted || !b.Counted) continue;
            var both = pair.Weight * a.Value * b.Value;
            if (pair.Kind == InteractionKind.Synergy)
            {
                work.InteractionBonus += both;
                work.SynergyMass += pair.Weight;
            }
            else
            {
                work.InteractionPenalty += both;
            }
        }
    }
}
