using Tailmark.Rubrics;

namespace Tailmark.Server.Reward;

/// <summary>One item to reward: which prompt (by id, or by its text or messages), the response, and the training step.</summary>
public sealed record RewardItem(string? PromptId, PromptContent? Prompt, string Response, long? Step);
