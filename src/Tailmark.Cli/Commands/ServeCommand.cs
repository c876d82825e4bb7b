using System.Globalization;
using System.CommandLine;
using System.Net;
using Tailmark.Building;
using Tailmark.Building.Online;
using Tailmark.Checks;
using Tailmark.Cli.Hosting;
using Tailmark.Grading;
using Tailmark.Judging;
using Tailmark.Llm;
using Tailmark.Rubrics.Formats;
using Tailmark.Rubrics;
using Tailmark.Scoring;
using Tailmark.Server.Reward;
using Tailmark.Sim;
using Tailmark.Storage;

namespace Tailmark.Cli.Commands;

/// <summary><c>tailmark serve --rubrics R --judge SPEC</c>: the reward endpoint for trainers (docs/server.md).</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var rubrics = new Option<string>("--rubrics", "-r")
            { Description = "Rubrics; items find theirs by prompt_id or by the hash of their prompt.", Required = true };
        var judge = new Option<string>("--judge", "-j") { Description = "Judge endpoint spec.", DefaultValueFactory = _ => "sim" };
        var host = new Option<string>("--host")
            { Description = "Address to listen on (loopback unless you mean otherwise).", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port (0 picks a free one).", DefaultValueFactory = _ => 8000 };
        var token = new Option<string?>("--token")
            { Description = "Require this bearer token. Visible in the process list: prefer --token-file or the TAILMARK_TOKEN environment variable." };
        var tokenFile = new Option<string?>("--token-file") { Description = "Require the bearer token written in this file (its first line)." };
        var tokenInPath = new Option<bool>("--allow-token-in-path")
            { Description = "Also accept the token as a path prefix, /t/TOKEN/get_reward, for trainers that cannot send headers (OpenRLHF); the URL then " +
                "carries the secret." };
        var scoring = new Option<string?>("--scoring", "-s") { Description = "Scoring preset or file." };
        var defense = DefenseLayer.Option();
        var mode = new Option<string>("--mode") { Description = "Judge mode: per-criterion, batched:K or all.", DefaultValueFactory = _ => "per-criterion" };
        var cache = CacheOption.Create();
        var deadline = new Option<double>("--deadline-ms")
            { Description = "Per-request deadline; unfinished items are answered as not graded (flagged).", DefaultValueFactory = _ => 120_000 };
        var concurrent = new Option<int>("--max-concurrent") { Description = "Requests graded at once.", DefaultValueFactory = _ => 64 };
        var queue = new Option<int>("--queue-limit") { Description = "Requests that may wait; beyond that 429.", DefaultValueFactory = _ => 256 };
        var noRubric = new Option<string>("--no-rubric")
            { Description = "OpenRLHF and slime: what a request gets when none of its items found a rubric: error (HTTP 422) or reward:X (flagged).",
                DefaultValueFactory = _ => "error" };
        var ungraded = new Option<string>("--ungraded")
            { Description = "OpenRLHF and slime: what any other ungraded item gets: reward:X (flagged in extra_logs / the answer) or error.",
                DefaultValueFactory = _ => "reward:0" };
        var maxBody = new Option<double>("--max-body-mb") { Description = "Largest request body, in MiB (413 beyond).", DefaultValueFactory = _ => 32 };
        var maxItems = new Option<int>("--max-items")
            { Description = "Most items in one request (413 beyond).", DefaultValueFactory = _ => new RewardServerOptions().MaxItemsPerRequest };
        var slots = new Option<int>("--grading-slots")
            { Description = "Items graded at once over all requests; an item not started by its deadline is not started.", DefaultValueFactory = _ =>
                new RewardServerOptions().GradingSlots };
        var drain = new Option<double>("--drain-seconds")
            { Description = "On SIGTERM or Ctrl-C: how long accepted requests may still take before they are answered as they stand.",
                DefaultValueFactory = _ => 60 };
        var endTokens = new Option<string?>("--end-tokens")
            { Description = "Comma-separated end-of-sequence tokens removed from the end of every response (default: the common chat templates', " +
                "docs/server.md; 'none' removes none)." };
        var keepReasoning = new Option<bool>("--keep-reasoning")
            { Description = "Grade a leading <think>…</think> block as part of the response (by default it is removed)." };
        var lease = new Option<double>("--lease-seconds")
        {
            Description = "With a shared PostgreSQL --cache: a response being judged by one replica is leased for this long (renewed while judging), "
                + "and another replica given the same response waits for its verdicts instead of judging it again; 0 turns leases off.",
            DefaultValueFactory = _ => VerdictCache.DefaultLeaseHold.TotalSeconds,
        };
        var peers = new Option<string[]>("--monitor-peer")
        {
            Description = "Another replica's base URL (repeat for each): GET /v1/monitor?replicas=all adds their monitors to this one's, read with this " +
                "server's token.",
        };
        var auditJudge = new Option<string?>("--audit-judge")
        {
            Description = "A stronger reference judge (endpoint spec): a sampled share of the graded rollouts is graded again by it in the background; "
                + "/v1/monitor, /metrics and /health show the training-versus-reference gap and the reward-hacking alarm.",
        };
        var auditRate = new Option<double?>("--audit-rate")
            { Description = "Share of graded rollouts the --audit-judge grades again, in (0, 1]. Default: 0.05." };
        var refineOnline = new Option<bool>("--refine-online")
        {
            Description = "Online tail refinement: when a prompt's best rollouts get the same reward, refine its rubric with that pair through "
                + "--proposer, check it and swap it in (docs/server.md); versions are kept in --refine-dir.",
        };
        var proposer = new Option<string>("--proposer") { Description = "Proposer endpoint spec for --refine-online.", DefaultValueFactory = _ => "sim" };
        var refineDir = new Option<string>("--refine-dir")
            { Description = "Where --refine-online keeps the rubric versions, so a restart goes on with them.", DefaultValueFactory = _ => "tailmark-online" };
        var cooldown = new Option<int>("--refine-cooldown")
            { Description = "Graded rollouts of a prompt between two refinements of its rubric.", DefaultValueFactory = _ =>
                new OnlineRefineOptions().Cooldown };
        var refineBudget = new Option<int>("--refine-budget")
            { Description = "Refinement attempts over the whole run (accepted or rejected).", DefaultValueFactory = _ => new OnlineRefineOptions().Budget };
        var budget = new Option<int>("--max-tokens-per-criterion")
            { Description = "Judge output budget per criterion in a call (raise it for reasoning judges).", DefaultValueFactory = _ =>
                new JudgeOptions().MaxTokensPerCriterion };
        var command = new Command("serve",
            "Serve rewards over HTTP: /v1/reward, OpenRLHF's /get_reward, slime's /slime, /health, /metrics, /v1/monitor, /v1/rubrics/{id}, " +
            "/v1/audit/cases, and with --refine-online /v1/rubrics/{id}/history, /v1/rubrics/{id}/rollback and /v1/refine.")
        {
            rubrics, judge, host, port, token, tokenFile, tokenInPath, scoring, defense, mode, cache, deadline, concurrent, queue, noRubric, ungraded, maxBody,
            maxItems, slots, drain, endTokens, keepReasoning, budget, lease, peers, auditJudge, auditRate, refineOnline, proposer, refineDir, cooldown,
            refineBudget,
        };
        var endpointOptions = new EndpointOptions();
        endpointOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            if (!IPAddress.TryParse(parse.GetValue(host),
                out var address)) throw new UsageException($"--host must be an IP address, not '{parse.GetValue(host)}'");
            RewardServerOptions options;
            JudgeOptions judgeOptions;
            OnlineRefineOptions refineOptions;
            try
            {
                options = new RewardServerOptions
                {
                    Token = BearerToken.Read(parse.GetValue(token), parse.GetValue(tokenFile)),
                    AllowTokenInPath = parse.GetValue(tokenInPath),
                    MaxConcurrentRequests = parse.GetValue(concurrent),
                    QueueLimit = parse.GetValue(queue),
                    GradingSlots = parse.GetValue(slots),
                    Deadline = Milliseconds(parse.GetValue(deadline), "--deadline-ms"),
                    DrainTimeout = Milliseconds(parse.GetValue(drain) * 1000, "--drain-seconds"),
                    MaxBodyBytes = parse.GetValue(maxBody) is var mb && double.IsFinite(mb) && mb > 0
                        && mb <= 4096 ? (long)(mb * 1024 * 1024) : throw new UsageException($"--max-body-mb must be between 0 and 4096, not {mb}"),
                    MaxItemsPerRequest = parse.GetValue(maxItems),
                    NoRubric = UngradedPolicy.Parse(parse.GetValue(noRubric)!),
                    Ungraded = UngradedPolicy.Parse(parse.GetValue(ungraded)!),
                    EndTokens = EndTokens(parse.GetValue(endTokens)),
                    KeepReasoning = parse.GetValue(keepReasoning),
                    MonitorPeers = [.. (parse.GetValue(peers) ?? []).Select(ReplicaUrl.Parse("--monitor-peer"))],
                }.Validated();
                judgeOptions = new JudgeOptions { Mode = JudgeMode.Parse(parse.GetValue(mode)!), MaxTokensPerCriterion = parse.GetValue(budget) }.Validated();
                AuditShare(parse.GetValue(auditJudge), parse.GetValue(auditRate)); // refused before anything is opened
                refineOptions = new OnlineRefineOptions { Cooldown = parse.GetValue(cooldown), Budget = parse.GetValue(refineBudget) }.Validated();
                if (!parse.GetValue(refineOnline) && (Option[])[proposer, refineDir, cooldown, refineBudget] is var refining
                    && refining.FirstOrDefault(o => parse.GetResult(o) is { Implicit: false }) is { } given)
                {
                    throw new UsageException($"{given.Name} is for online refinement: add --refine-online, or leave it out");
                }
            }
            catch (Exception ex) when (ex is ArgumentOutOfRangeException or FormatException)
            {
                throw UsageException.From(ex);
            }
            var index = new RubricIndex(await RubricSet.LoadAsync(parse.GetValue(rubrics)!, DefenseLayer.Rubrics(parse.GetValue(defense)!), ct));
            await using var endpoints = endpointOptions.Open(parse, stopOnUnusableEndpoint: false);
            var client = await endpoints.OpenAsync(parse.GetValue(judge)!, "sim-judge", new EndpointLimits { Concurrency = 256 }, ct);
            var leaseHold = parse.GetValue(lease) is var seconds && double.IsFinite(seconds) && seconds is >= 0 and <= 3600
                ? TimeSpan.FromSeconds(seconds) : throw new UsageException($"--lease-seconds must be between 0 and 3600, not {seconds}");
            if (leaseHold > TimeSpan.Zero
                && leaseHold < TimeSpan.FromMilliseconds(300)) throw new UsageException("--lease-seconds must be 0 (off) or at least 0.3");
            using var verdictCache = CacheOption.Open(parse.GetValue(cache)!, leaseHold);
            (Microsoft.Extensions.AI.IChatClient, double)? audit = AuditShare(parse.GetValue(auditJudge), parse.GetValue(auditRate)) is { } share
                ? (await endpoints.OpenAsync(parse.GetValue(auditJudge)!, SimModels.ReferenceJudge, new EndpointLimits { Concurrency = 16 }, ct), share)
                : null;
            using var log = parse.GetValue(refineOnline) ? OpenLog(parse.GetValue(refineDir)!) : null;
            var proposerClient = log is null ? null : await endpoints.OpenAsync(parse.GetValue(proposer)!, SimModels.Proposer, null, ct);
            await using var rewards = RewardHost.Create(new RewardHostOptions(index, client, judgeOptions, ScoringConfigLoader.Load(parse.GetValue(scoring)),
                options)
            {
                Cache = verdictCache,
                ScoringName = parse.GetValue(scoring) is { } s ? Path.GetFileName(s) : "default",
                Audit = audit,
                Online = log is null ? null : (proposerClient!, log, refineOptions),
            });
            foreach (var warning in rewards.Online?.Warnings ?? []) Console.Error.WriteLine($"warning: {warning}");
            await using var server = await RewardServer.StartAsync(rewards.Service, rewards.Metrics, options, address, parse.GetValue(port),
                cancellationToken: ct);
            Console.WriteLine($"Rewards on {server.BaseUrl}v1/reward (OpenRLHF: {server.BaseUrl}get_reward) for {index.Count} rubrics; " +
                $"judge {client.Endpoint().Name}{(options.Token is null ? "" : "; bearer token required")}");
            if (rewards.Audit is { } running)
            {
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"Auditing {running.Rate:0.###} of graded rollouts with {running.Judge} (the gap and the alarm: {server.BaseUrl}v1/monitor)"));
            }
            if (log is not null)
            {
                Console.WriteLine($"Refining online with {proposerClient!.Endpoint().Name} (cooldown {refineOptions.Cooldown} rollouts, budget " +
                    $"{refineOptions.Budget}); versions in {log.Path}");
            }
            if (!IPAddress.IsLoopback(address)) Console.Error.WriteLine("warning: listening beyond loopback; set --token");
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                Console.Error.WriteLine($"stopping: answering the requests in flight (up to {options.DrainTimeout.TotalSeconds:0.#} s)");
            }
            await server.StopAsync();
            Console.Error.WriteLine("stopped");
            return CommandRunner.Ok;
        });
        return command;
    }

    /// <summary>The rubric versions of --refine-online, replayed from DIR; a directory it cannot use is a usage error.</summary>
    private static RubricVersionLog OpenLog(string directory)
    {
        try
        {
            return RubricVersionLog.Open(directory);
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
            throw new UsageException($"--refine-dir {directory}: cannot keep rubric versions there ({ex.Message}); if another tailmark serve " +
                "uses this directory, give each server its own");
        }
    }

    /// <summary>The audit's share of rollouts, or null without --audit-judge; a usage error for a rate alone or out of (0, 1].</summary>
    private static double? AuditShare(string? spec, double? rate)
    {
        if (spec is null)
        {
            return rate is null ? null : throw new UsageException("--audit-rate needs --audit-judge (the reference judge that grades the sampled rollouts)");
        }
        var share = rate ?? 0.05;
        return share > 0 && share <= 1 ? share
            : throw new UsageException($"--audit-rate must be a share in (0, 1], not {share.ToString(CultureInfo.InvariantCulture)}");
    }

    private static TimeSpan Milliseconds(double ms, string option) =>
        double.IsFinite(ms) && ms >= 0
            && ms <= 86_400_000 ? TimeSpan.FromMilliseconds(ms) : throw new UsageException($"{option} is out of range (0 to one day)");

    /// <summary>The token from --token, else the first line of --token-file, else TAILMARK_TOKEN; never printed.</summary>
    private static System.Collections.Immutable.ImmutableArray<string> EndTokens(string? list) => list switch
    {
        null => Tailmark.Server.Reward.Text.ResponseCleaner.DefaultEndTokens,
        "none" or "" => [],
        _ => [.. list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries)],
    };
}
