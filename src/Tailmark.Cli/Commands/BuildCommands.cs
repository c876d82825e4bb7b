using System.CommandLine;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Tailmark.Building;
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
/// Rubric building: <c>sample</c> (candidate pools from generator endpoints), <c>propose</c> (initial rubrics) and
/// <c>refine</c> (Refinement-through-Differentiation rounds into a run directory).
/// </summary>
internal static class BuildCommands
{
    public static Command Sample()
    {
        var prompts = new Option<string>("--prompts", "-p") { Description = "Prompt rows (prompt_id, prompt).", Required = true };
        var generators = new Option<string>("--generators", "-g")
            { Description = "Comma-separated generator endpoint specs, e.g. sim:sim-great,sim:sim-diverse-1.", Required = true };
        var n = new Option<int>("--n") { Description = "Samples per prompt and generator (sample i is asked with seed i).", DefaultValueFactory = _ => 4 };
        var output = new Option<string>("--out", "-o")
            { Description = "Pool (response rows) to write; an existing file is resumed: samples already in it are not asked again. Rows are appended as " +
                "they come and put in prompt, generator, sample order at the end.", Required = true };
        var concurrency = new Option<int>("--concurrency") { Description = "Samples asked at once.", DefaultValueFactory = _ => 16 };
        var command = new Command("sample", "Collect candidate responses from several generators into a pool.") { prompts, generators, n, output, concurrency };
        var endpointOptions = new EndpointOptions();
        endpointOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(n) < 1) throw new UsageException("--n must be at least 1");
            var rows = await PromptRow.LoadAsync(parse.GetValue(prompts)!, ct);
            await using var endpoints = endpointOptions.Open(parse);
            var clients = new List<(string Name, IChatClient Client)>();
            foreach (var spec in parse.GetValue(generators)!.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var client = await endpoints.OpenAsync(spec, spec, null, ct);
                clients.Add((client.Endpoint().Model, client));
            }
            var path = parse.GetValue(output)!;
            var have = PoolFile.Resume(path);
            var plan = rows.SelectMany(r =>
                clients.SelectMany(c => Enumerable.Range(0, parse.GetValue(n)).Select(i => (Prompt: r, c.Name, c.Client, Index: i)))).ToList();
            var jobs = plan.Where(j => !have.Contains((j.Prompt.PromptId, PoolSampler.ResponseId(j.Name, j.Index)))).ToList();
            var failures = new List<string>();
            var written = 0;
            await using (var writer = new StreamWriter(path, append: true))
            {
                var gate = new SemaphoreSlim(1, 1);
                await Parallel.ForEachAsync(jobs,
                    new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parse.GetValue(concurrency)), CancellationToken = ct }, async (job, token) =>
                {
                    var sample = await PoolSampler.SampleAsync(job.Client, job.Name, job.Prompt, job.Index, 0, token);
                    await gate.WaitAsync(token);
                    try
                    {
                        if (sample.Row is { } row)
                        {
                            // One line per sample, flushed, so an interrupted run keeps what it has and resumes after it.
                            await writer.WriteLineAsync(JsonOutput.Render(row.Write));
                            await writer.FlushAsync(token);
                            written++;
                        }
                        else
                        {
                            failures.Add($"prompt {job.Prompt.PromptId}: {job.Name} sample {job.Index}: {sample.Failure}");
                        }
                    }
                    finally
                    {
                        gate.Release();
                    }
                });
            }
            // Answers arrive in any order; the pool is put in the plan's (prompt, generator, sample) so clean runs agree.
            PoolFile.Order(path, [.. plan.Select(j => (j.Prompt.PromptId, PoolSampler.ResponseId(j.Name, j.Index)))]);
            foreach (var f in failures.Order(StringComparer.Ordinal)) Console.Error.WriteLine($"failed: {f}");
            Console.Error.WriteLine($"sampled {written} response(s) into {path} ({have.Count} were already there, {failures.Count} failed)");
            return failures.Count > 0 ? CommandRunner.Failed : CommandRunner.Ok;
        });
        return command;
    }

    public static Command Propose()
    {
        var prompts = new Option<string>("--prompts", "-p") { Description = "Prompt rows (prompt_id, prompt, reference_answer?).", Required = true };
        var proposer = new Option<string>("--proposer") { Description = "Proposer endpoint spec.", DefaultValueFactory = _ => "sim" };
        var withReference = new Option<bool>("--with-reference") { Description = "Show the proposer each prompt's reference_answer." };
        var output = new Option<string>("--out", "-o")
            { Description = "Rubrics to write (JSONL). Proposals are journalled in OUT's .partial file as they come, so a rerun of a killed run does not ask " +
                "again.", Required = true };
        var concurrency = new Option<int>("--concurrency") { Description = "Prompts worked on at once.", DefaultValueFactory = _ => 8 };
        var command = new Command("propose",
            "Write an initial rubric for every prompt with a proposer model; a failed proposal keeps the prompt with a diagnostic.")
                { prompts, proposer, withReference, output, concurrency };
        var endpointOptions = new EndpointOptions();
        endpointOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var rows = await PromptRow.LoadAsync(parse.GetValue(prompts)!, ct);
            await using var endpoints = endpointOptions.Open(parse);
            var client = await endpoints.OpenAsync(parse.GetValue(proposer)!, "sim-proposer", null, ct);
            var rubricProposer = new RubricProposer(new ProposerClient(client), CommandRunner.Secrets);
            var outPath = parse.GetValue(output)!;
            // Proposals are journalled as they come (OUT.partial.jsonl): a killed run's rerun does not ask again.
            using var journal = new ProposalJournal(StagedOutput.PartialPath(outPath));
            var results = new (Rubric Rubric, string? Problem)[rows.Count];
            var reused = 0;
            await Parallel.ForEachAsync(Enumerable.Range(0, rows.Count),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parse.GetValue(concurrency)), CancellationToken = ct },
                async (i, token) =>
                {
                    var key = ProposalJournal.Key(client.Endpoint().Identity, rows[i], parse.GetValue(withReference));
                    if (journal.Find(key) is { } done)
                    {
                        results[i] = (done, null);
                        Interlocked.Increment(ref reused);
                        return;
                    }
                    results[i] = await rubricProposer.ProposeAsync(rows[i], parse.GetValue(withReference), token);
                    if (results[i].Problem is null) journal.Add(key, results[i].Rubric);
                });
            await JsonRowSink.WriteAsync(results.Select(r => r.Rubric), outPath, RubricJsonWriter.Write, ct);
            journal.Complete();
            var failed = results.Where(r => r.Problem is not null).ToList();
            foreach (var f in failed) Console.Error.WriteLine($"proposal failed for {f.Rubric.Id}: {f.Problem} (kept with a fallback criterion; see " +
                $"metadata.diagnostics)");
            var resumed = reused > 0 ? $" ({reused} from an unfinished earlier run)" : "";
            Console.Error.WriteLine($"proposed {rows.Count - failed.Count} rubric(s){resumed}, {failed.Count} failed and kept: {outPath}");
            return CommandRunner.Ok;
        });
        return command;
    }

    public static Command Refine()
    {
        var rubrics = new Option<string>("--rubrics", "-r") { Description = "Initial rubrics (instance rubrics, by prompt_id).", Required = true };
        var pool = new Option<string>("--pool") { Description = "Candidate responses (response rows with generator).", Required = true };
        var proposer = new Option<string>("--proposer") { Description = "Proposer endpoint spec.", DefaultValueFactory = _ => "sim" };
        var judge = new Option<string>("--judge", "-j")
            { Description = "Judge endpoint spec used to rank the pool each round.", DefaultValueFactory = _ => "sim" };
        var iterations = new Option<int>("--iterations") { Description = "Refinement rounds per prompt.", DefaultValueFactory = _ => 4 };
        var excludeUsed = new Option<bool>("--exclude-used") { Description = "Responses already contrasted leave the pool." };
        var pair = new Option<string>("--pair") { Description = "top2, tied or diverse.", DefaultValueFactory = _ => "top2" };
        var seed = new Option<int>("--seed") { Description = "Seed of the tie-breaking rule.", DefaultValueFactory = _ => 0 };
        var output = new Option<string>("--out", "-o")
            { Description = "Run directory: rounds/PROMPT/round-K.json and rubrics.jsonl; rerunning resumes it.", Required = true };
        var concurrency = new Option<int>("--concurrency") { Description = "Prompts refined at once.", DefaultValueFactory = _ => 4 };
        var cache = CacheOption.Create();
        var command = new Command("refine", "Refine rubrics by contrasting pairs of strong responses (Refinement-through-Differentiation).")
        {
            rubrics, pool, proposer, judge, iterations, excludeUsed, pair, seed, output, concurrency, cache,
        };
        var endpointOptions = new EndpointOptions();
        endpointOptions.AddTo(command);
        command.SetAction(async (parse, ct) =>
        {
            var strategy = parse.GetValue(pair) switch
            {
                "top2" => PairStrategy.Top2,
                "tied" => PairStrategy.Tied,
                "diverse" => PairStrategy.Diverse,
                var p => throw new UsageException($"--pair must be top2, tied or diverse, not '{p}'"),
            };
            if (parse.GetValue(iterations) < 1) throw new UsageException("--iterations must be at least 1");
            var set = await RubricSet.LoadAsync(parse.GetValue(rubrics)!, null, ct);
            var initial = set.Instances.ToList();
            var responses = new Dictionary<string, List<ResponseRow>>(StringComparer.Ordinal);
            foreach (var row in (await ResponseRow.LoadAsync(parse.GetValue(pool)!, ct)).Values)
            {
                (responses.TryGetValue(row.PromptId, out var list) ? list : responses[row.PromptId] = []).Add(row);
            }
            await using var endpoints = endpointOptions.Open(parse);
            var judgeClient = await endpoints.OpenAsync(parse.GetValue(judge)!, "sim-judge", null, ct);
            var proposerClient = await endpoints.OpenAsync(parse.GetValue(proposer)!, "sim-proposer", null, ct);
            using var verdictCache = CacheOption.Open(parse.GetValue(cache)!);
            var runDir = parse.GetValue(output)!;
            var grader = new ResponseGrader(new JudgeEngine([judgeClient], verdictCache, new JudgeOptions { Mode = JudgeMode.AllAtOnce }), new CheckRunner(),
                new RewardPipeline(ScoringConfigLoader.Preset("ctt")));
            using var grading = new BatchGrader(grader,
                new BatchGraderOptions { Concurrency = Math.Max(16, judgeClient.Endpoint().Limits.Concurrency), Time = CommandRunner.Time });
            var refiner = new RubricRefiner(grading, new ProposerClient(proposerClient),
                new RefineOptions(parse.GetValue(iterations), strategy, parse.GetValue(excludeUsed), parse.GetValue(seed)), new RoundStore(runDir,
                    CommandRunner.Secrets), set);
            var finals = new Rubric[initial.Count];
            var notes = new List<string>();
            var done = 0;
            await Parallel.ForEachAsync(Enumerable.Range(0, initial.Count),
                new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parse.GetValue(concurrency)), CancellationToken = ct }, async (i, token) =>
            {
                var rubric = initial[i];
                var candidates = responses.GetValueOrDefault(rubric.PromptId ?? rubric.Id) ?? [];
                var (final, rounds) = await refiner.RefineAsync(rubric, candidates, token);
                finals[i] = final;
                lock (notes)
                {
                    if (candidates.Count < 2) notes.Add($"{rubric.Id}: fewer than two responses in the pool; kept unrefined");
                    foreach (var r in rounds.Where(r => r.KeptPrevious)) notes.Add($"{rubric.Id}: round {r.Round} kept the previous rubric: {r.Problem}");
                }
                if (!Console.IsErrorRedirected) Console.Error.Write($"\rrefined {Interlocked.Increment(ref done)}/{initial.Count}   ");
            });
            if (!Console.IsErrorRedirected) Console.Error.WriteLine();
            await JsonRowSink.WriteAsync(finals, Path.Combine(runDir, "rubrics.jsonl"), RubricJsonWriter.Write, ct);
            foreach (var note in notes.Order(StringComparer.Ordinal)) Console.Error.WriteLine(note);
            Console.Error.WriteLine($"refined {initial.Count} rubric(s): {Path.Combine(runDir, "rubrics.jsonl")} (rounds in {Path.Combine(runDir, "rounds")})");
            return CommandRunner.Ok;
        });
        return command;
    }
}
