namespace Tailmark.Scoring;

/// <summary>
/// Something a user should know about a reward: a veto hit, a CannotAssess, a missing verdict, an undefined
/// score. <see cref="Code"/> is stable and machine-readable.
/// </summary>
public sealed record RewardDiagnostic(string Code, string Message, string? CriterionId = null);
