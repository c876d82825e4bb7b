namespace Tailmark.Rubrics;

/// <summary>One chat message of a prompt.</summary>
public sealed record PromptMessage(string Role, string Content);
