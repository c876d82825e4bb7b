namespace Tailmark.Storage;

/// <summary>
/// What <see cref="VerdictCache.ClaimAsync"/> ended with: the verdicts another process stored while this one waited
/// (element i answers the claim's lookup i; null: still missing, to be judged here), and whether this process holds the
/// lease (then it must <see cref="VerdictCache.Release"/> it, after storing what it judged).
/// </summary>
public sealed record VerdictClaim(CachedVerdict?[] Found, bool Held);
