using System.CommandLine;
using System.Globalization;
using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Spectre.Console;
using Tailmark.Checks;
using Tailmark.Cli.Hosting;
using Tailmark.Grading;
using Tailmark.Io;
using Tailmark.Judging;
using Tailmark.Llm;
using Tailmark.Rubrics.Formats;
using Tailmark.Rubrics;
using Tailmark.Scoring;
using Tailmark.Storage;

namespace Tailmark.Cli.Commands;

/// <summary>
/// <c>tailmark grade --rubrics R --responses S --judge SPEC --out OUT</c>: judges every response against its
/// prompt's rubric and writes graded rows in input order. Verdicts go to the verdict cache as they come, so a
/// killed run resumes without repeating a call and writes the same output as an uninterrupted one.
/// </summary>
internal static class GradeCommand
{
    public static Command Create()
    {
        var rubrics = new Option<string>("--rubrics", "-r")
            { Description = "Rubrics (any format `convert` reads); instance rubrics are found by prompt_id.", Required = true };
        var responses = new Option<string>("--responses") { Description = "Response rows: prompt_id, response_id, response.", Required = true };
        var judges = new Option<string[]>("--judge", "-j")
            { Description = "Judge endpoint: sim, sim:MODEL, openai:MODEL, http(s)://HOST:PORT/v1#MODEL or a configured name. Repeat for an ensemble.",
                AllowMultipleArgumentsPerToken = false, Arity = ArgumentArity.OneOrMore, DefaultValueFactory = _ => ["sim"] };
        var output = new Option<string>("--out", "-o") { Description = "Graded JSONL to write.", Required = true };
        var mode = new Option<string>("--mode") { Description = "per-criterion, batched:K or all.", DefaultValueFactory = _ => "per-criterion" };
        var votes = new Option<int>("--votes") { Description = "Samples per criterion, majority wins.", DefaultValueFactory = _ => 1 };
        var ties = new Option<string>("--ties")
            { Description = "An even split of votes: cannot_assess, met or not_met.", DefaultValueFactory = _ => "cannot_assess" };
        var logprobs = new Option<bool>("--logprobs") { Description = "Ask for log probabilities and record P(yes) per verdict." };
        var scoring = new Option<string?>("--scoring", "-s") { Description = "Scoring preset or file (see `score`)." };
        var defense = DefenseLayer.Option();
        var coverage = CoverageOption.Create();
        var maxResponse = new Option<int>("--max-response-chars")
            { Description = "A longer response is not sent to the judges: its judged criteria are cannot_assess (its reward undefined), its checks still run.",
                DefaultValueFactory = _ => ResponseGrader.DefaultMaxResponseChars };
        var cache = CacheOption.Create();
        var noCache = new Option<bool>("--no-cache") { Description = "Do not read or write the verdict cache (nothing resumes)." };
        var concurrency = new Option<int?>("--concurrency")
            { Description = "Responses graded at once (default: 16, or the largest judge's concurrency limit if higher, so that it stays busy)." };
        var timeout = new Option<double>("--timeout") { Description = "Seconds one judge call may take before it is retried.", DefaultValueFactory = _ => 60 };
        var retries = new Option<int>("--retries")
            { Description = "Retries per judge call (429, 5xx, timeouts), with exponential backoff.", DefaultValueFactory = _ => 5 };
        var summary = new Option<string?>("--summary") { Description = "Also write the run's summary as JSON to this file (for pipelines)." };
        var budget = new Option<int>("--max-tokens-per-criterion")
            { Description = "Judge output budget per criterion in a call (raise it for reasoning judges).", DefaultValueFactory = _ =>
                new JudgeOptions().MaxTokensPerCriterion };
        var shardOption = new Option<string?>("--shard")
            { Description = "Grade only part I of N of the input (I/N, e.g. 2/3): a prompt's rows stay in one part, parts are balanced by judged criteria. " +
                "Writes OUT.shard.json beside the rows; `tailmark merge` joins the parts." };
        var dryRun = new Option<bool>("--dry-run")
            { Description = "Count the judge calls, tokens and cost the run would need (after the cache) without calling anything." };
        var command = new Command("grade", "Grade responses against rubrics with LLM judges and verifiable checks, and compute rewards.")
        {
            rubrics, responses, judges, output, mode, votes, ties, logprobs, scoring, defense, coverage, maxResponse, cache, noCache, concurrency, timeout,
            retries, summary, dryRun, budget, shardOption,
        };
        var endpointOptions = new EndpointOptions();
        endpointOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var pipeline = new RewardPipeline(CoverageOption.Apply(ScoringConfigLoader.Load(parse.GetValue(scoring)), parse.GetValue(coverage)));
            JudgeOptions judgeOptions;
            try
            {
                judgeOptions = new JudgeOptions
                {
                    Mode = JudgeMode.Parse(parse.GetValue(mode)!),
                    Votes = parse.GetValue(votes),
                    Ties = parse.GetValue(ties) switch
                    {
                        "cannot_assess" => TiePolicy.CannotAssess,
                        "met" => TiePolicy.Met,
                        "not_met" => TiePolicy.NotMet,
                        var t => throw new FormatException($"--ties must be cannot_assess, met or not_met, not '{t}'"),
                    },
                    Logprobs = parse.GetValue(logprobs),
                    MaxTokensPerCriterion = parse.GetValue(budget),
                }.Validated();
            }
            catch (Exception ex) when (ex is FormatException or ArgumentOutOfRangeException)
            {
                throw UsageException.From(ex);
            }
            if (parse.GetValue(concurrency) is < 1) throw new UsageException("--concurrency must be at least 1");
            if (parse.GetValue(maxResponse) < 1) throw new UsageException($"--max-response-chars must be at least 1, not {parse.GetValue(maxResponse)}");
            var limits = new EndpointLimits { Timeout = TimeSpan.FromSeconds(parse.GetValue(timeout)), MaxRetries = parse.GetValue(retries) };
            try
            {
                limits = limits.Validated();
            }
            catch (ArgumentOutOfRangeException ex)
            {
                throw UsageException.From(ex);
            }

            var responsesPath = parse.GetValue(responses)!;
            var outPath = parse.GetValue(output)!;
            var shardSpec = GradeShard.Parse(parse.GetValue(shardOption), responsesPath, outPath);

            // The rubric set composes each prompt's rubric once per task and tags, not once per row: a GRPO-sized file
            // repeats each prompt many times.
            var set = await RubricSet.LoadAsync(parse.GetValue(rubrics)!, DefenseLayer.Rubrics(parse.GetValue(defense)!), ct);

            var planOnly = parse.GetValue(dryRun);
            if (planOnly && parse.GetValue(summary) is not null) throw new UsageException("--summary describes a finished run; a --dry-run prints its plan " +
                "only");
            await using var endpoints = endpointOptions.Open(parse, offline: planOnly);
            var clients = new List<IChatClient>();
            foreach (var spec in parse.GetValue(judges)!) clients.Add(await endpoints.OpenAsync(spec, "sim-judge", limits, ct));
            // A dry run reads the cache but does not create one.
            using var verdictCache = parse.GetValue(noCache) ? null : planOnly ? CacheOption.OpenExisting(parse.GetValue(cache)!)
                : CacheOption.Open(parse.GetValue(cache)!);
            var grader = new ResponseGrader(new JudgeEngine(clients, verdictCache, judgeOptions), new CheckRunner(), pipeline, parse.GetValue(maxResponse));
            var shard = shardSpec is { } part ? await GradeShard.PlanAsync(part, responsesPath, set, ct) : null;
            if (shard is not null) Console.Error.WriteLine(shard.Describe());
            if (planOnly) return await GradeDryRun.RunAsync(responsesPath, set, grader, shard, ct);
            // Every response makes at least one call per judge, so this many responses in flight keep even an
            // all-at-once judge with a high concurrency limit (a vLLM server, say) fed.
            var responsesInFlight = parse.GetValue(concurrency) ?? Math.Max(16, clients.Max(c => c.Endpoint().Limits.Concurrency));
            using var batch = new BatchGrader(grader, new BatchGraderOptions { Concurrency = responsesInFlight, Time = CommandRunner.Time });

            var total = shard?.Rows ?? await CountRowsAsync(responsesPath, ct);
            var progress = new GradeProgress(total, endpoints, CommandRunner.Time);
            var issues = new List<InputIssue>();
            var rewards = new List<double?>();
            var cannotAssess = 0;
            var started = CommandRunner.Time.GetTimestamp();

            async IAsyncEnumerable<GradeItem> Items()
            {
                await foreach (var (row, line) in GradeShard.RowsAsync(shard, responsesPath, set, issues, ct))
                {
                    if (row is null) progress.Skip();
                    else yield return set.ItemFor(row)! with { State = line };
                }
            }

            async IAsyncEnumerable<GradedResponse> Graded()
            {
                await foreach (var outcome in batch.GradeAsync(Items(), progress, ct))
                {
                    if (outcome.Graded is { } graded)
                    {
                        shard?.Written((int)outcome.Item.State!);
                        yield return graded;
                    }
                    else lock (issues) issues.Add(new InputIssue(IssueSeverity.Error, responsesPath, (int)outcome.Item.State!, null, outcome.Error!));
                }
            }

            int written;
            using var staged = StagedFile.For(outPath);
            using (progress.Start(ct))
            {
                written = await JsonRowSink.WriteAsync(Graded(), staged.Path, (w, g) =>
                {
                    rewards.Add(g.Result.Reward);
                    cannotAssess += g.Row.Verdicts.Values.Count(v => v.Status == VerdictStatus.CannotAssess);
                    GradedRowWriter.Write(w, g.Row, g.Result, CommandRunner.Secrets);
                }, ct);
            }
            CommandRunner.PrintIssues(issues);
            var errors = issues.Count(i => i.IsError);
            // Graded rows cost judge calls: a run with bad rows keeps the good ones beside the output it leaves alone.
            var rowsAt = StagedOutput.Finish(staged, outPath, errors, keepPartial: true);
            var run = new GradeSummary(written, RunStatistics.Compute(rewards, pipeline.Config.ClipRunMean), cannotAssess, endpoints.TotalUsage(),
                verdictCache?.Hits, CommandRunner.Time.GetElapsedTime(started), rowsAt, errors)
            {
                Replicas = [.. clients.SelectMany(c => c.GetService<ReplicaRouterChatClient>()?.Snapshot() ?? [])],
            };
            PrintSummary(run);
            if (parse.GetValue(summary) is { } summaryPath) await run.WriteJsonAsync(summaryPath, ct);
            // The manifest follows the rows it describes: a part killed in between has rows no manifest vouches for, which merge refuses.
            if (shard is not null && errors == 0) await shard.WriteManifestAsync(parse, clients, outPath, pipeline.Config.ClipRunMean, run, ct);
            return errors > 0 ? CommandRunner.Failed : CommandRunner.Ok;
        });
        return command;
    }

    /// <summary>
    /// The response rows in file order with their line numbers; null for a row with errors, which go to ISSUES with file
    /// and line (a wrong task or tags field too, since it selects the layers).
    /// </summary>
    internal static async IAsyncEnumerable<(ResponseRow? Row, int Line)> ReadRowsAsync(string path, Func<string, bool> hasRubric, List<InputIssue> issues,
        [EnumeratorCancellation] CancellationToken ct)
    {
        await foreach (var line in JsonlReader.ReadAsync(path, ct))
        {
            var log = new IssueLog(path, line.Number);
            if (line.ParseError is not null) log.Error(null, line.ParseError);
            var row = line.Json is { } json ? ResponseRow.Read(json, log) : null;
            if (row is not null && !hasRubric(row.PromptId)) log.Error("prompt_id", $"no instance rubric for prompt \"{row.PromptId}\"");
            lock (issues) issues.AddRange(log.Issues);
            yield return (row is null || log.HasErrors ? null : row, line.Number);
        }
    }

    /// <summary>
    /// Non-blank lines, for the progress line: counted on bytes, so that a long response is not decoded twice; unknown
    /// (-1) for standard input, which can be read only once.
    /// </summary>
    private static async Task<int> CountRowsAsync(string path, CancellationToken ct)
    {
        if (path == "-") return -1;
        if (!File.Exists(path)) throw new InputException(path, null, null, "file not found");
        var n = 0;
        var content = false;
        var buffer = new byte[1 << 16];
        await using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
        int read;
        while ((read = await stream.ReadAsync(buffer, ct)) > 0)
        {
            foreach (var b in buffer.AsSpan(0, read))
            {
                if (b == (byte)'\n')
                {
                    if (content) n++;
                    content = false;
                }
                else if (b is not ((byte)' ' or (byte)'\t' or (byte)'\r' or 0x0B or 0x0C))
                {
                    content = true;
                }
            }
        }
        return content ? n + 1 : n;
    }

    private static void PrintSummary(GradeSummary run)
    {
        static string N(double v) => v.ToString("#,0", CultureInfo.InvariantCulture);
        var usage = run.Usage;
        var table = new Table().Border(TableBorder.Rounded).AddColumns("measure", "value");
        table.AddRow("responses graded", N(run.Written));
        table.AddRow("mean reward", run.Statistics.Mean is { } m ? m.ToString("0.0000", CultureInfo.InvariantCulture) : "n/a");
        table.AddRow("undefined rewards", N(run.Statistics.Undefined));
        table.AddRow("cannot_assess verdicts", N(run.CannotAssess));
        table.AddRow("judge calls", N(usage.Calls));
        table.AddRow("cache hits", run.CacheHits is { } hits ? N(hits) : "cache off");
        table.AddRow("retries / failed calls", $"{N(usage.Retries)} / {N(usage.Failures)}");
        table.AddRow("prompt tokens (cached)", $"{N(usage.PromptTokens)} ({N(usage.CachedPromptTokens)})");
        table.AddRow("completion tokens", N(usage.CompletionTokens));
        table.AddRow("cost", usage.Cost.ToString("$0.0000", CultureInfo.InvariantCulture));
        foreach (var r in run.Replicas)
        {
            table.AddRow($"replica {r.Url}",
                $"{N(r.Calls)} calls, {r.CachedShare:0.0%} cached, {N(r.Failures)} failed, spilled in {N(r.SpilledIn)}, ejected {N(r.Ejections)}×");
        }
        table.AddRow("wall time", $"{run.Elapsed.TotalSeconds:0.0} s");
        CommandRunner.Out.Write(table);
        if (run.OutPath is not null) CommandRunner.Out.WriteLine($"graded rows: {run.OutPath}");
    }
}
