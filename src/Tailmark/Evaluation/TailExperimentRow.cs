namespace Tailmark.Evaluation;

/// <summary>One way of building rubrics and its accuracy against gold in each reward region.</summary>
public sealed record TailExperimentRow(string Name, RegionAccuracy High, RegionAccuracy Low, RegionAccuracy All, double MeanCriteria);
