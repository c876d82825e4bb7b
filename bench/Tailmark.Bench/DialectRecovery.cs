using System.Globalization;
using Tailmark.Checks;
using Tailmark.Io;
using Tailmark.Judging;
using Tailmark.Llm;
using Tailmark.Rubrics;
using Tailmark.Scoring;
using Tailmark.Sim.Server;
using Tailmark.Sim;

namespace Tailmark.Bench;

/// <summary>
/// How much of a judge that answers like a served model Tailmark reads: RESPONSES responses × 20 criteria graded
/// against the simulated judge in each dialect (an in-process server over HTTP, no capacity limit: this measures
/// reading, not speed), per mode, compared verdict by verdict with the clean dialect's. Reports the share of verdicts
/// recovered (the same status and level as clean), flipped (a different verdict), lost (cannot_assess) and the repair
/// calls — calls beyond the first of each question — per 1,000 verdicts. Two rows go beyond the dialects: `ambiguous`
/// (answers that must be refused or read from their final object: recovery falls, nothing may flip) and `mixed+faults`
/// (mixed, with 3% of answers garbled and 1% cut short by the server: what repairs cost).
/// </summary>
internal static class DialectRecovery
{
    private static readonly string[] GenericQualities = ["is clear", "is well organized", "is concise", "uses plain language", "is polite", "stays on topic",
        "gives concrete steps", "avoids jargon"];

    private static readonly string[] AllDialects = ["clean", "fenced", "prose", "think", "reasoning-field", "keyed", "literal", "mixed", "ambiguous",
        "mixed+faults"];

    private const string Faults = "malformed=0.03,truncate=0.01";

    public static async Task<int> RunAsync(string[] args)
    {
        var responses = args.Length > 0 ? int.Parse(args[0], CultureInfo.InvariantCulture) : 1000;
        var modes = (args.Length > 1 ? args[1] : "per-criterion,batched:5,all").Split(',');
        var dialects = args.Length > 2 ? args[2].Split(',') : AllDialects;
        var world = new SimWorld(7, 64);
        var rows = Enumerable.Range(0, responses).Select(i =>
        {
            var task = world.Tasks[i % world.Tasks.Length];
            var model = SimGenerators.All[i % 9].Name;
            return (Task: task, Row: new ResponseRow(task.Id, $"r{i}", SimGenerators.Write(SimGenerators.Find(model)!, task, world.Seed, $"dialect/{i}"), model,
                JsonMaps.Empty));
        }).ToList();
        Console.WriteLine($"{responses} responses x 20 criteria = {responses * 20} verdicts per dialect and mode; judge error rate 5%; compared with the " +
            $"clean dialect");
        Console.WriteLine("mode           dialect          recovered   flipped  cannot_assess  calls   repair calls per 1,000 verdicts");
        foreach (var mode in modes)
        {
            var options = new JudgeOptions { Mode = JudgeMode.Parse(mode) };
            var questions = responses * (int)Math.Ceiling(20.0 / Math.Min(20, options.Mode.BatchSize));
            Dictionary<string, string>? clean = null;
            foreach (var dialect in dialects.Prepend("clean").Distinct())
            {
                var (verdicts, calls) = await GradeAsync(world, rows, options, dialect);
                clean ??= verdicts;
                int recovered = 0, flipped = 0, lost = 0;
                foreach (var (key, v) in verdicts)
                {
                    if (v.StartsWith("CannotAssess", StringComparison.Ordinal)) lost++;
                    else if (v == clean[key]) recovered++;
                    else flipped++;
                }
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{mode,-14} {dialect,-16} {100.0 * recovered / verdicts.Count,8:0.00}% {flipped,9} {lost,14} {calls,6} " +
                        $"{1000.0 * (calls - questions) / verdicts.Count,12:0.00}"));
                if (dialect == "mixed+faults") Console.WriteLine($"               (mixed+faults: {Faults})");
            }
        }
        return 0;
    }

    // Every verdict as "status:level", keyed by response and criterion, and the calls made.
    private static async Task<(Dictionary<string, string> Verdicts, long Calls)> GradeAsync(SimWorld world, List<(SimTask Task, ResponseRow Row)> rows,
        JudgeOptions options, string dialect)
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions
        {
            World = new SimOptions { Seed = world.Seed, Tasks = world.Tasks.Length,
                Dialects = SimOptions.ParseDialects(dialect.Replace("+faults", "", StringComparison.Ordinal)) },
            Faults = FaultSpec.Parse(dialect.EndsWith("+faults", StringComparison.Ordinal) ? Faults : null),
        });
        var spec = new EndpointSpec("bench", EndpointKind.Sim, server.BaseUrl, "sim-judge", null,
            new EndpointLimits { Concurrency = 256, Timeout = TimeSpan.FromSeconds(120), MaxRetries = 3 }, PriceTable.Free);
        using var judge = EndpointClient.Create(spec);
        var grader = new ResponseGrader(new JudgeEngine([judge], null, options), new CheckRunner(), new RewardPipeline(ScoringConfigLoader.Preset("default")));
        var verdicts = new System.Collections.Concurrent.ConcurrentDictionary<string, string>(StringComparer.Ordinal);
        await Parallel.ForEachAsync(rows, new ParallelOptions { MaxDegreeOfParallelism = 32 }, async (w, ct) =>
        {
            var rubric = Rubric20(w.Task);
            var graded = await grader.GradeAsync(rubric, JudgePrompts.Conversation(rubric.Prompt), w.Row, ct);
            foreach (var (id, v) in graded.Row.Verdicts) verdicts[$"{w.Row.ResponseId}/{id}"] = $"{v.Status}:{v.Level}";
        });
        return (new Dictionary<string, string>(verdicts, StringComparer.Ordinal), judge.UsageSoFar().Calls);
    }

    /// <summary>The task's 11 facet criteria, 8 general ones and one ordinal (levels 0–2) about its first facet: 20 judged criteria.</summary>
    private static Rubric Rubric20(SimTask task) => new()
    {
        Id = task.Id,
        PromptId = task.Id,
        Prompt = PromptContent.FromText(task.Prompt),
        Criteria =
        [
            .. task.Facets.Select(f =>
                new Criterion { Id = f.Id, Text = (f.IsError ? "The response tells the user to " : "The response advises the user to ") + f.Phrase + ".",
                    Weight = f.IsError ? -2 : f.Value }),
            .. GenericQualities
                .Select((t, i) => new Criterion { Id = $"g{i + 1}", Text = $"The response {t}.", Weight = 1 }),
            new Criterion
            {
                Id = "o1", Text = $"How well does the response cover {task.Facets[0].Object}?", Weight = 1,
                Scale = new CriterionScale([new ScaleLevel(0, "not at all"), new ScaleLevel(1, "partly"), new ScaleLevel(2, "fully")]),
            },
        ],
    };
}
