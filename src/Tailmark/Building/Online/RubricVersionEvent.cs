using Tailmark.Rubrics;

namespace Tailmark.Building.Online;

/// <summary>
/// One line of a rubric's online history (<see cref="RubricVersionLog"/>): a new <c>version</c> (its rubric, the
/// version it came <see cref="From"/>, what triggered it and the pair it was asked with), a <c>rejected</c> attempt and
/// why, or a <c>rollback</c> to <see cref="Version"/>. <see cref="BaseDigest"/> is the digest of the rubric as the
/// rubrics file gave it: versions written over another base are set aside on load.
/// </summary>
public sealed record RubricVersionEvent(string Kind, string RubricId, int Version, int? From, DateTimeOffset At, string BaseDigest)
{
    public const string NewVersion = "version";
    public const string Rejected = "rejected";
    public const string RolledBack = "rollback";

    /// <summary>What started the attempt: <c>tie</c> (the best two distinct rollouts got the same reward), <c>saturated</c> (at the top of the scale) or
    /// <c>audit_alarm</c> (the reference-judge audit's alarm, with its pair).</summary>
    public string? Trigger { get; init; }

    /// <summary>Why an attempt was rejected, or what a rollback said.</summary>
    public string? Reason { get; init; }

    /// <summary>The pair the proposer was shown (clipped), for a person reading the history.</summary>
    public string? ResponseA { get; init; }

    public string? ResponseB { get; init; }

    /// <summary>The new version's rubric (for <c>version</c> events).</summary>
    public Rubric? Rubric { get; init; }
}
