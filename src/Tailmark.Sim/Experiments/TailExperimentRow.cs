using Tailmark.Evaluation;

namespace Tailmark.Sim.Experiments;

/// <summary>One way of building rubrics and its accuracy against gold (with bootstrap intervals) in each reward region.</summary>
public sealed record TailExperimentRow(string Name, AccuracyWithInterval High, AccuracyWithInterval Low, AccuracyWithInterval All, double MeanCriteria);
