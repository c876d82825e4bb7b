namespace Tailmark.Evaluation.Rl;

/// <summary>
/// One step of a run: the mean reward the server gave (proxy) and the mean gold reward of the same rollouts, the share
/// carrying the note to the grader, rollouts not graded, refinements the server accepted and rejected during the step,
/// whether the audit's alarm was firing after it, and the audit's
/// latest training-minus-reference gap (NaN without an audit).
/// </summary>
public sealed record RlStep(int Step, double Proxy, double Gold, double GraderNotes, int Ungraded, int Refined, int Rejected, bool Alarm,
    double AuditGap);
