using System.CommandLine;
using System.Net;
using Tailmark.Checks;
using Tailmark.Cli.Hosting;
using Tailmark.Judging;
using Tailmark.Llm;
using Tailmark.Rubrics;
using Tailmark.Scoring;
using Tailmark.Server.Reward;
using Tailmark.Storage;

namespace Tailmark.Cli.Commands;

/// <summary><c>tailmark serve --rubrics R --judge SPEC</c>: the reward endpoint for trainers (docs/server.md).</summary>
internal static class ServeCommand
{
    public static Command Create()
    {
        var rubrics = new Option<string>("--rubrics", "-r") { Description = "Rubrics; items find theirs by prompt_id or by the hash of their prompt.", Required = true };
        var judge = new Option<string>("--judge", "-j") { Description = "Judge endpoint spec.", DefaultValueFactory = _ => "sim" };
        var host = new Option<string>("--host") { Description = "Address to listen on (loopback unless you mean otherwise).", DefaultValueFactory = _ => "127.0.0.1" };
        var port = new Option<int>("--port") { Description = "Port (0 picks a free one).", DefaultValueFactory = _ => 8000 };
        var token = new Option<string?>("--token") { Description = "Require this bearer token (default: the TAILMARK_TOKEN environment variable, if set)." };
        var scoring = new Option<string?>("--scoring", "-s") { Description = "Scoring preset or file." };
        var defense = DefenseLayer.Option();
        var mode = new Option<string>("--mode") { Description = "Judge mode: per-criterion, batched:K or all.", DefaultValueFactory = _ => "per-criterion" };
        var cache = new Option<string>("--cache") { Description = "Verdict cache.", DefaultValueFactory = _ => Path.Combine(".tailmark", "verdicts.sqlite") };
        var deadline = new Option<double>("--deadline-ms") { Description = "Per-request deadline; unfinished items are answered as not graded (flagged).", DefaultValueFactory = _ => 120_000 };
        var concurrent = new Option<int>("--max-concurrent") { Description = "Requests graded at once.", DefaultValueFactory = _ => 64 };
        var queue = new Option<int>("--queue-limit") { Description = "Requests that may wait; beyond that 429.", DefaultValueFactory = _ => 256 };
        var fallback = new Option<double?>("--fallback-reward") { Description = "Reward (flagged) for items whose prompt has no rubric; default: a per-item error." };
        var budget = new Option<int>("--max-tokens-per-criterion") { Description = "Judge output budget per criterion in a call (raise it for reasoning judges).", DefaultValueFactory = _ => new JudgeOptions().MaxTokensPerCriterion };
        var command = new Command("serve", "Serve rewards over HTTP: /v1/reward, OpenRLHF's /get_reward, /health, /metrics, /v1/rubrics/{id}.")
        {
            rubrics, judge, host, port, token, scoring, defense, mode, cache, deadline, concurrent, queue, fallback, budget,
        };
        var endpointOptions = new EndpointOptions();
        endpointOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            if (!IPAddress.TryParse(parse.GetValue(host), out var address)) throw new UsageException($"--host must be an IP address, not '{parse.GetValue(host)}'");
            RewardServerOptions options;
            JudgeOptions judgeOptions;
            try
            {
                options = new RewardServerOptions
                {
                    Token = parse.GetValue(token) ?? Environment.GetEnvironmentVariable("TAILMARK_TOKEN"),
                    MaxConcurrentRequests = parse.GetValue(concurrent),
                    QueueLimit = parse.GetValue(queue),
                    Deadline = TimeSpan.FromMilliseconds(parse.GetValue(deadline)),
                    FallbackReward = parse.GetValue(fallback),
                }.Validated();
                judgeOptions = new JudgeOptions { Mode = JudgeMode.Parse(parse.GetValue(mode)!), MaxTokensPerCriterion = parse.GetValue(budget) }.Validated();
            }
            catch (Exception ex) when (ex is ArgumentOutOfRangeException or FormatException)
            {
                throw UsageException.From(ex);
            }
            var all = await RubricLoader.LoadAsync(parse.GetValue(rubrics)!, null, ct);
            var shared = all.Values.Where(r => r.Level != RubricLevel.Instance).Concat(DefenseLayer.Rubrics(parse.GetValue(defense)!)).ToList();
            var index = new RubricIndex(all.Values, shared);
            await using var endpoints = endpointOptions.Open(parse, stopOnUnusableEndpoint: false);
            var client = await endpoints.OpenAsync(parse.GetValue(judge)!, "sim-judge", new EndpointLimits { Concurrency = 256 }, ct);
            using var verdictCache = new VerdictCache(parse.GetValue(cache)!);
            var metrics = new RewardMetrics();
            var grader = new ResponseGrader(new JudgeEngine([client], verdictCache, judgeOptions), new CheckRunner(),
                new RewardPipeline(ScoringConfigLoader.Load(parse.GetValue(scoring))));
            await using var server = await RewardServer.StartAsync(new RewardService(index, grader, options, metrics), metrics, options, address, parse.GetValue(port), ct);
            Console.WriteLine($"Rewards on {server.BaseUrl}v1/reward (OpenRLHF: {server.BaseUrl}get_reward) for {index.Count} rubrics; judge {client.Spec.Name}{(options.Token is null ? "" : "; bearer token required")}");
            if (!IPAddress.IsLoopback(address)) Console.Error.WriteLine("warning: listening beyond loopback; set --token");
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine("stopping: finishing the requests in flight");
            }
            return CommandRunner.Ok;
        });
        return command;
    }
}
