namespace Tailmark.Building.Hacks;

/// <summary>
/// A defense criterion proposed from one group of suspected hacks, with what it would have done. For a person to
/// review, never applied by itself.
/// </summary>
/// <param name="Group">The pattern the group was formed around (a sentence its cases share), or "(no shared sentence)".</param>
/// <param name="GroupCases">Suspected cases in that group.</param>
/// <param name="Text">The criterion, met when the behaviour is present.</param>
/// <param name="Weight">The proposer's (negative) weight.</param>
/// <param name="Caught">Suspected cases (of all groups) the judge found meeting it.</param>
/// <param name="Suspected">All suspected cases.</param>
/// <param name="GoodHit">Good rollouts the judge found meeting it: what it would wrongly penalise.</param>
/// <param name="Good">All good rollouts.</param>
/// <param name="CannotAssess">Cases the judge could not assess (counted in neither).</param>
/// <param name="Suggested">"veto" when it catches at least 80% of the suspected cases and hits no good rollout; else "penalty".</param>
public sealed record HackCandidate(string Group, int GroupCases, string Text, double Weight, int Caught, int Suspected, int GoodHit, int Good,
    int CannotAssess, string Suggested);
