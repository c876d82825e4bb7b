namespace Tailmark.Building.Hacks;

/// <summary>An audited rollout from <c>GET /v1/audit/cases</c>: its prompt id, response and both judges' rewards.</summary>
public sealed record HackCase(string PromptId, string Response, double TrainingReward, double ReferenceReward);
