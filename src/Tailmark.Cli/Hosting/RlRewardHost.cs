using Microsoft.Extensions.AI;
using Tailmark.Building.Online;
using Tailmark.Judging;
using Tailmark.Rubrics;
using Tailmark.Scoring;
using Tailmark.Server.Reward;
using Tailmark.Sim.Experiments;

namespace Tailmark.Cli.Hosting;

/// <summary>
/// The reward server one run of <c>experiment rl</c> trains against: the real server on 127.0.0.1 over a
/// <see cref="RewardHost"/> built as <c>serve</c> builds it (all-at-once judging, the default scoring, no verdict
/// cache), with online refinement and the reference-judge audit when the run's configuration has them. Its versions
/// are kept in memory: each run starts from the same rubrics.
/// </summary>
internal sealed class RlRewardHost : IAsyncDisposable
{
    private readonly RewardHost _rewards;

    private RlRewardHost(RewardHost rewards, RewardServer server)
    {
        _rewards = rewards;
        Server = server;
    }

    public RewardServer Server { get; }

    public Uri RewardUrl => new(Server.BaseUrl, "v1/reward");

    /// <summary>Starts the server over RUBRICS; online refinement with PROPOSER and the AUDIT (the reference judge, with its share) when given.</summary>
    public static async Task<RlRewardHost> StartAsync(IReadOnlyList<Rubric> rubrics, IChatClient judge, IChatClient? proposer,
        (IChatClient Judge, double Rate)? audit, OnlineRefineOptions refineOptions, CancellationToken ct)
    {
        var options = new RewardServerOptions();
        var rewards = RewardHost.Create(new RewardHostOptions(new RubricIndex(new Grading.RubricSet(rubrics)), judge,
            new JudgeOptions { Mode = JudgeMode.AllAtOnce }, ScoringConfigLoader.Preset("default"), options)
        {
            Audit = audit,
            Online = proposer is null ? null : (proposer, RubricVersionLog.InMemory(), refineOptions),
        });
        try
        {
            return new RlRewardHost(rewards, await RewardServer.StartAsync(rewards.Service, rewards.Metrics, options, cancellationToken: ct));
        }
        catch
        {
            await rewards.DisposeAsync();
            throw;
        }
    }

    /// <summary>Waits for the refinements and the audit of the step to finish, then says what they came to.</summary>
    public async Task<RlServerNote> SettleAsync(CancellationToken ct)
    {
        await _rewards.SettleAsync(ct);
        var (_, accepted, rejected, _) = _rewards.Online?.Counts ?? default;
        var monitor = _rewards.Service.Monitor;
        return _rewards.Audit is null ? new RlServerNote(accepted, rejected, false, null)
            : new RlServerNote(accepted, rejected, monitor.AuditAlarm(fresh: true).Firing, monitor.LatestAuditGap(fresh: true));
    }

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await _rewards.DisposeAsync();
    }
}
