namespace Tailmark.Sim;

/// <summary>
/// An answer of the simulated judge or proposer as a served model would send it: the message content, the reasoning a
/// reasoning parser split off (null when none), the field it is sent in, and where the final JSON starts in the content
/// (the judge's log probabilities are given to the verdict literals from there on).
/// </summary>
public sealed record SimAnswer(string Content, string? Reasoning = null, string ReasoningField = "reasoning_content", int AnswerStart = 0);
