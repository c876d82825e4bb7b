namespace Tailmark.Grading.Sharding;

/// <summary>
/// What the partition knows of one input row: its prompt (null when the row cannot be read), its line in the input,
/// and its weight (the judge questions it asks: the criteria of the rubric it is graded against).
/// </summary>
public readonly record struct ShardRow(string? PromptId, int Line, int Weight);
