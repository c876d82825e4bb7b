namespace Tailmark.Evaluation;

/// <summary>Whether a prompt is kept for training, with its base-policy score statistic and the reason.</summary>
public sealed record SelectionDecision(string PromptId, int Responses, double? Mean, bool Keep, string Reason);
