using System.CommandLine;
using System.Globalization;
using Microsoft.Extensions.AI;
using Spectre.Console;
using Tailmark.Building;
using Tailmark.Building.Online;
using Tailmark.Cli.Hosting;
using Tailmark.Evaluation.Rl;
using Tailmark.Grading;
using Tailmark.Io;
using Tailmark.Llm;
using Tailmark.Rubrics;
using Tailmark.Sim;
using Tailmark.Sim.Experiments;
using Tailmark.Sim.Server;

namespace Tailmark.Cli.Commands;

/// <summary>
/// <c>tailmark experiment rl</c>: the simulated RL loop (docs/building.md). For each seed, a simulated world whose
/// prompt-only rubrics may reward a mistake and whose training judge obeys a note to the grader; rubrics built from the
/// prompt alone and refined offline; then one run per configuration, each against its own real reward server on
/// 127.0.0.1. Writes rl.json (drawn by <c>tailmark report</c>) and prints each configuration's gold peak with bootstrap
/// intervals over the seeds.
/// </summary>
internal static class ExperimentRl
{
    public const string StaticPromptOnly = RlSummary.Baseline;
    public const string StaticRefined = "static offline-refined";
    public const string Online = "online refinement";
    public const string OnlineAudit = "online refinement + audit";
    public const string StaticAudit = "static prompt-only + audit";

    public static Command Create()
    {
        var seeds = new Option<string>("--seeds") { Description = "World seeds, comma-separated (one run per seed and configuration).",
            DefaultValueFactory = _ => "1,2,3,4,5" };
        var tasks = new Option<int>("--tasks") { Description = "Prompts in each world.", DefaultValueFactory = _ => 8 };
        var steps = new Option<int>("--steps") { Description = "Training steps per run.", DefaultValueFactory = _ => new RlOptions().Steps };
        var group = new Option<int>("--group")
            { Description = "Rollouts per prompt per step (the GRPO group).", DefaultValueFactory = _ => new RlOptions().Group };
        var budget = new Option<int>("--length-budget")
            { Description = "Sentences a response has room for.", DefaultValueFactory = _ => new RlOptions().LengthBudget };
        var rate = new Option<double>("--learning-rate") { Description = "The policy's step size.", DefaultValueFactory = _ => new RlOptions().LearningRate };
        var configs = new Option<string>("--configs")
        {
            Description = "Configurations to run, comma-separated: prompt-only, offline, online, online-audit, prompt-only-audit (the audit's alarm "
                + "on static prompt-only rubrics, which it cannot change).",
            DefaultValueFactory = _ => "prompt-only,offline,online,online-audit,prompt-only-audit",
        };
        var mistakes = new Option<double>("--mistake-rate")
            { Description = "Chance that a prompt-only rubric rewards one of the task's mistakes (the rubric flaw).", DefaultValueFactory = _ => 0.5 };
        var obey = new Option<double>("--obey-rate")
            { Description = "Share of the training judge's verdicts that obey a note to the grader (the judge flaw).", DefaultValueFactory = _ =>
                new SimOptions().InjectionShare };
        var auditRate = new Option<double>("--audit-rate") { Description = "Share of rollouts the reference judge audits.", DefaultValueFactory = _ => 0.25 };
        var cooldown = new Option<int>("--refine-cooldown")
            { Description = "Graded rollouts of a prompt between two refinements.", DefaultValueFactory = _ => new OnlineRefineOptions().Cooldown };
        var refineBudget = new Option<int?>("--refine-budget") { Description = "Refinement attempts per run (default: 8 per prompt)." };
        var output = new Option<string?>("--out", "-o") { Description = "Directory to write rl.json into (tailmark report DIR draws it)." };
        var dialect = new Option<string?>("--sim-dialect")
            { Description = "How the simulated judge and proposer write, as for `sim serve --dialect` (default clean)." };
        var command = new Command("rl",
            "Train a simulated policy against a real reward server: static prompt-only rubrics, static offline-refined rubrics, online refinement, and " +
            "online refinement with the audit's alarm; gold against proxy per step.")
        {
            seeds, tasks, steps, group, budget, rate, configs, mistakes, obey, auditRate, cooldown, refineBudget, output, dialect,
        };
        command.SetAction(async (parse, ct) =>
        {
            RlOptions loop;
            OnlineRefineOptions refine;
            try
            {
                loop = new RlOptions
                {
                    Steps = parse.GetValue(steps), Group = parse.GetValue(group), LengthBudget = parse.GetValue(budget), LearningRate = parse.GetValue(rate),
                }.Validated();
                refine = new OnlineRefineOptions { Cooldown = parse.GetValue(cooldown), Budget = parse.GetValue(refineBudget) ?? 8 * parse.GetValue(tasks) }
                    .Validated();
            }
            catch (ArgumentOutOfRangeException ex)
            {
                throw UsageException.From(ex);
            }
            if (parse.GetValue(tasks) < 1) throw new UsageException($"--tasks must be at least 1, not {parse.GetValue(tasks)}");
            var seedList = ParseSeeds(parse.GetValue(seeds)!);
            var chosen = ParseConfigs(parse.GetValue(configs)!);
            var share = Share(parse.GetValue(auditRate), "--audit-rate");
            if (share == 0) throw new UsageException("--audit-rate must be a share in (0, 1], not 0 (leave out the audit configurations instead)");
            var world = (Mistakes: Share(parse.GetValue(mistakes), "--mistake-rate"), Obey: Share(parse.GetValue(obey), "--obey-rate"),
                Dialects: SimOptions.ParseDialects(parse.GetValue(dialect)));
            var runs = new List<RlRun>();
            foreach (var seed in seedList)
            {
                runs.AddRange(await RunSeedAsync(seed, parse.GetValue(tasks), world, chosen, loop, refine, share, ct));
            }
            var summary = RlSummary.Of(runs);
            Print(summary, seedList, loop);
            if (parse.GetValue(output) is { } dir)
            {
                Directory.CreateDirectory(dir);
                var settings = new SortedDictionary<string, string>(StringComparer.Ordinal)
                {
                    ["seeds"] = string.Join(",", seedList), ["tasks"] = parse.GetValue(tasks).ToString(CultureInfo.InvariantCulture),
                    ["steps"] = loop.Steps.ToString(CultureInfo.InvariantCulture), ["group"] = loop.Group.ToString(CultureInfo.InvariantCulture),
                    ["length_budget"] = loop.LengthBudget.ToString(CultureInfo.InvariantCulture),
                    ["learning_rate"] = loop.LearningRate.ToString(CultureInfo.InvariantCulture),
                    ["mistake_rate"] = world.Mistakes.ToString(CultureInfo.InvariantCulture), ["obey_rate"] = world.Obey.ToString(CultureInfo.InvariantCulture),
                    ["audit_rate"] = share.ToString(CultureInfo.InvariantCulture), ["refine_cooldown"] = refine.Cooldown.ToString(CultureInfo.InvariantCulture),
                    ["refine_budget"] = refine.Budget.ToString(CultureInfo.InvariantCulture), ["start"] = loop.Start,
                };
                var path = Path.Combine(dir, RlFile.Name);
                RlFile.Write(path, settings, runs);
                CommandRunner.Out.WriteLine($"Wrote {path} (tailmark report {dir} draws it)");
            }
            return CommandRunner.Ok;
        });
        return command;
    }

    private static async Task<IReadOnlyList<RlRun>> RunSeedAsync(int seed, int taskCount,
        (double Mistakes, double Obey, SimPerModel<SimDialect> Dialects) flaws, IReadOnlyList<string> configs, RlOptions loop,
        OnlineRefineOptions refine, double auditShare, CancellationToken ct)
    {
        var simOptions = new SimServerOptions
        {
            World = new SimOptions
                { Seed = seed, Tasks = taskCount, ProposerMistakeRate = flaws.Mistakes, InjectionShare = flaws.Obey, Dialects = flaws.Dialects },
        };
        await using var endpoints = new Endpoints(null, simOptions);
        var limits = new EndpointLimits { Concurrency = 64, Timeout = TimeSpan.FromSeconds(60) };
        var judge = await endpoints.OpenAsync("sim:sim-judge", SimModels.Judge, limits, ct);
        var proposer = await endpoints.OpenAsync("sim:sim-proposer", SimModels.Proposer, limits, ct);
        var reference = await endpoints.OpenAsync($"sim:{SimModels.ReferenceJudge}", SimModels.ReferenceJudge, limits, ct);
        var great = await endpoints.OpenAsync("sim:sim-great", "sim-great", limits, ct);
        var world = endpoints.Sim!.World;
        Progress($"seed {seed}: building rubrics");
        var (promptOnly, refined) = await RubricsAsync(world, proposer, judge, great, configs.Contains(StaticRefined), ct);
        var runs = new List<RlRun>();
        foreach (var config in configs)
        {
            var online = config is Online or OnlineAudit;
            await using var host = await RlRewardHost.StartAsync(config == StaticRefined ? refined! : promptOnly, judge, online ? proposer : null,
                config is OnlineAudit or StaticAudit ? (reference, auditShare) : null, refine, ct);
            using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(10) };
            var progress = new Progress<RlStep>(s => Progress(FormattableString.Invariant(
                $"seed {seed}, {config}: step {s.Step + 1}/{loop.Steps}, proxy {s.Proxy:0.000}, gold {s.Gold:0.000}")));
            var steps = await new RlLoop(world, http, host.RewardUrl, host.SettleAsync, loop).RunAsync(progress, ct);
            runs.Add(new RlRun(config, seed, steps));
        }
        return runs;
    }

    /// <summary>Per task: the proposer's rubric from the prompt alone, and (when asked) that rubric refined over four rounds of sim-great responses.</summary>
    private static async Task<(List<Rubric> PromptOnly, List<Rubric>? Refined)> RubricsAsync(SimWorld world, IChatClient proposer, IChatClient judge,
        IChatClient great, bool refine, CancellationToken ct)
    {
        var proposerClient = new ProposerClient(proposer);
        var engine = new Judging.JudgeEngine([judge], null, new Judging.JudgeOptions { Mode = Judging.JudgeMode.AllAtOnce });
        using var walk = new BatchGrader(new Judging.ResponseGrader(engine, new Checks.CheckRunner(),
            new Scoring.RewardPipeline(Scoring.ScoringConfigLoader.Preset("default"))), new BatchGraderOptions { Concurrency = 32 });
        var promptOnly = new List<Rubric>();
        var refined = refine ? new List<Rubric>() : null;
        foreach (var task in world.Tasks)
        {
            var prompt = new PromptRow(task.Id, PromptContent.FromText(task.Prompt), null, [], JsonMaps.Empty);
            var (initial, problem) = await new RubricProposer(proposerClient).ProposeAsync(prompt, withReference: false, ct);
            if (initial.Criteria.IsEmpty) throw new InvalidOperationException($"the simulated proposer wrote no rubric for {task.Id}: {problem}");
            promptOnly.Add(initial);
            if (refined is null) continue;
            var pool = new List<ResponseRow>();
            for (var i = 0; i < 8; i++)
            {
                if ((await PoolSampler.SampleAsync(great, "sim-great", prompt, i, 100, ct)).Row is { } row) pool.Add(row with { ResponseId = $"great-{i}" });
            }
            var (final, _) = await new RubricRefiner(walk, proposerClient, new RefineOptions(4, PairStrategy.Top2, ExcludeUsed: true, Seed: world.Seed))
                .RefineAsync(initial, pool, ct);
            refined.Add(final);
        }
        return (promptOnly, refined);
    }

    private static void Progress(string line)
    {
        if (!Console.IsErrorRedirected) Console.Error.Write($"\r{line}".PadRight(100));
    }

    private static void Print(IReadOnlyList<RlSummary> summary, IReadOnlyList<int> seeds, RlOptions loop)
    {
        if (!Console.IsErrorRedirected) Console.Error.WriteLine();
        var table = new Table().Border(TableBorder.Rounded).AddColumns("configuration", "gold peak step", "gold at peak", "gold at end", "gold fall",
            "proxy at end", "proxy rise after peak", "refinements", "peak later than prompt-only", "peak higher than prompt-only");
        foreach (var s in summary)
        {
            string[] cells = [s.Config, s.PeakStep.ToString(), s.PeakGold.ToString(), s.FinalGold.ToString(), s.Fall.ToString(), s.FinalProxy.ToString(),
                s.ProxyRise.ToString(), s.Refinements.ToString(), s.PeakLaterThanBaseline?.ToString() ?? "-", s.PeakHigherThanBaseline?.ToString() ?? "-"];
            table.AddRow([.. cells.Select(Markup.Escape)]);
        }
        CommandRunner.Out.WriteLine(FormattableString.Invariant(
            $"Simulated RL, seeds {string.Join(",", seeds)}, {loop.Steps} steps, group {loop.Group}: means over seeds [bootstrap 95% interval]. ")
            + "Gold comes from the world, proxy from the reward server.");
        CommandRunner.Out.Write(table);
    }

    private static List<int> ParseSeeds(string text)
    {
        var list = new List<int>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            list.Add(int.TryParse(part, NumberStyles.Integer, CultureInfo.InvariantCulture, out var s) ? s
                : throw new UsageException($"--seeds must be whole numbers separated by commas, not '{part}'"));
        }
        return list.Count > 0 ? [.. list.Distinct()] : throw new UsageException("--seeds names no seed");
    }

    private static List<string> ParseConfigs(string text)
    {
        var names = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
            {
                ["prompt-only"] = StaticPromptOnly, ["offline"] = StaticRefined, ["online"] = Online, ["online-audit"] = OnlineAudit,
                ["prompt-only-audit"] = StaticAudit,
            };
        var list = new List<string>();
        foreach (var part in text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            list.Add(names.TryGetValue(part, out var c) ? c
                : throw new UsageException($"--configs: unknown configuration '{part}' (known: {string.Join(", ", names.Keys)})"));
        }
        return list.Count > 0 ? [.. list.Distinct()] : throw new UsageException("--configs names no configuration");
    }

    private static double Share(double value, string option) =>
        value is >= 0 and <= 1 ? value : throw new UsageException($"{option} must be a share in [0, 1], not {value.ToString(CultureInfo.InvariantCulture)}");
}
