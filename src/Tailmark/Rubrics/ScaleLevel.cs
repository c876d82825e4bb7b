namespace Tailmark.Rubrics;

/// <summary>One ordered level of an ordinal criterion: its numeric value and what it means.</summary>
public sealed record ScaleLevel(double Value, string Description);
