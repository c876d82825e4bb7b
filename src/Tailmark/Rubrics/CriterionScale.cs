using System.Collections.Immutable;

namespace Tailmark.Rubrics;

/// <summary>
/// The scale of an ordinal criterion: levels in strictly increasing order of value. A criterion without a
/// scale is binary (met / not met).
/// </summary>
public sealed record CriterionScale(ImmutableArray<ScaleLevel> Levels)
{
    /// <summary>Maps a level value to [0,1]: (value - lowest) / (highest - lowest).</summary>
    public double Normalize(double value)
    {
        var low = Levels[0].Value;
        var high = Levels[^1].Value;
        return high > low ? Math.Clamp((value - low) / (high - low), 0, 1) : 1;
    }

    /// <summary>True when <paramref name="value"/> is one of the declared levels.</summary>
    public bool HasLevel(double value) => Levels.Any(l => l.Value.Equals(value));

    public bool Equals(CriterionScale? other) => other is not null && Levels.SequenceEqual(other.Levels);

    public override int GetHashCode() => Levels.Length;
}
