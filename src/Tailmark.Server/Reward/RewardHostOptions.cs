using Microsoft.Extensions.AI;
using Tailmark.Building.Online;
using Tailmark.Judging;
using Tailmark.Scoring;
using Tailmark.Storage;

namespace Tailmark.Server.Reward;

/// <summary>What a <see cref="RewardHost"/> is built from: the rubrics, the training judge and how it is asked, the scoring, and the optional parts.</summary>
public sealed record RewardHostOptions(RubricIndex Index, IChatClient Judge, JudgeOptions Judging, ScoringConfig Scoring, RewardServerOptions Server)
{
    /// <summary>The verdict cache of the training judge (and of the audit's reference judge), if any.</summary>
    public VerdictCache? Cache { get; init; }

    /// <summary>The scoring preset's name (or the scoring file's) as every reward's provenance gives it.</summary>
    public string ScoringName { get; init; } = "default";

    /// <summary>The reference-judge audit: its judge and the share of rollouts it grades again.</summary>
    public (IChatClient Judge, double Rate)? Audit { get; init; }

    /// <summary>Online refinement: the proposer, where the versions are kept, and its limits.</summary>
    public (IChatClient Proposer, RubricVersionLog Log, OnlineRefineOptions Options)? Online { get; init; }
}
