namespace Tailmark.Rubrics;

/// <summary>What a CannotAssess verdict does to the reward.</summary>
public enum CannotAssessPolicy
{
    /// <summary>Leave the criterion out of both the earned sum and the normalizer (the default).</summary>
    Skip,
    /// <summary>Count the criterion as value 0: a positive one earns nothing, a negative one costs nothing.</summary>
    Zero,
    /// <summary>Give the whole response no reward (null) with a diagnostic.</summary>
    Fail,
}
