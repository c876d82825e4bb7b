namespace Tailmark.Building.Online;

/// <summary>
/// Limits of online tail refinement (<c>serve --refine-online</c>; docs/server.md names the options). The cooldown is
/// counted in graded rollouts of the prompt, not in seconds, so a run replays the same way at any speed.
/// </summary>
public sealed record OnlineRefineOptions
{
    /// <summary>Best distinct rollouts kept per prompt, graded by its active version (the candidates of the pair).</summary>
    public int TopKept { get; init; } = 8;

    /// <summary>Most recent distinct rollouts kept per prompt (the order check regrades them).</summary>
    public int RecentKept { get; init; } = 16;

    /// <summary>
    /// Prompts whose rollouts are kept at most; beyond that the least recently graded prompt's are forgotten (it starts
    /// again when it comes back). Memory: this × (<see cref="TopKept"/> + <see cref="RecentKept"/>) responses at most.
    /// </summary>
    public int MaxTrackedPrompts { get; init; } = 10_000;

    /// <summary>
    /// Graded rollouts of a prompt after its last version (or attempt) before it may be refined again; doubled after each
    /// rejected attempt in a row (up to 64-fold), back to this after a version is accepted or rolled back to.
    /// </summary>
    public int Cooldown { get; init; } = 64;

    /// <summary>Refinement attempts over the whole run (accepted or rejected); none after that.</summary>
    public int Budget { get; init; } = 100;

    /// <summary>Refinements running at once (each asks the proposer once and grades a few rollouts twice).</summary>
    public int Parallel { get; init; } = 2;

    /// <summary>A refined rubric may grow by this many judged criteria at most (and shrink to half).</summary>
    public int MaxGrowth { get; init; } = 8;

    /// <summary>A pair of recent rollouts the active version rewards at least this far apart is a clear preference.</summary>
    public double ClearGap { get; init; } = 0.2;

    /// <summary>The share of clear preferences a new version may turn into clear opposite ones (by at least <see cref="ReversalGap"/>).</summary>
    public double MaxReversed { get; init; } = 0.25;

    /// <summary>
    /// How far the other way a clear preference must go to count as reversed. A refinement that adds what the tail
    /// has will reorder close calls, and should; it must not turn the active version's clear calls around.
    /// </summary>
    public double ReversalGap { get; init; } = 0.2;

    public OnlineRefineOptions Validated()
    {
        if (TopKept < 2) throw new ArgumentOutOfRangeException(nameof(TopKept), TopKept, "at least 2 (a pair)");
        if (MaxTrackedPrompts < 1) throw new ArgumentOutOfRangeException(nameof(MaxTrackedPrompts), MaxTrackedPrompts, "at least 1");
        if (RecentKept < 2) throw new ArgumentOutOfRangeException(nameof(RecentKept), RecentKept, "at least 2");
        if (Cooldown < 1) throw new ArgumentOutOfRangeException(nameof(Cooldown), Cooldown, "at least 1 rollout");
        if (Budget < 0) throw new ArgumentOutOfRangeException(nameof(Budget), Budget, "0 or more");
        if (Parallel < 1) throw new ArgumentOutOfRangeException(nameof(Parallel), Parallel, "at least 1");
        if (MaxGrowth < 0) throw new ArgumentOutOfRangeException(nameof(MaxGrowth), MaxGrowth, "0 or more");
        if (!(ClearGap > 0 && ClearGap <= 1)) throw new ArgumentOutOfRangeException(nameof(ClearGap), ClearGap, "in (0, 1]");
        if (!(MaxReversed >= 0 && MaxReversed <= 1)) throw new ArgumentOutOfRangeException(nameof(MaxReversed), MaxReversed, "in [0, 1]");
        if (!(ReversalGap > 0 && ReversalGap <= 1)) throw new ArgumentOutOfRangeException(nameof(ReversalGap), ReversalGap, "in (0, 1]");
        return this;
    }
}
