using System.CommandLine;
using System.Text.Json;
using Tailmark.Io;
using Tailmark.Sim.Server;
using Tailmark.Sim;

namespace Tailmark.Cli.Commands;

/// <summary><c>tailmark sim serve</c> and <c>tailmark sim export</c>: the simulated world of stand-in models.</summary>
internal static class SimCommand
{
    public static Command Create()
    {
        var seed = new Option<int>("--seed")
            { Description = "World seed: the same seed gives the same tasks and answers.", DefaultValueFactory = _ => new SimOptions().Seed };
        var tasks = new Option<int>("--tasks") { Description = "Number of tasks (prompts) in the world.", DefaultValueFactory = _ => new SimOptions().Tasks };

        var port = new Option<int>("--port") { Description = "Port on 127.0.0.1 (0 picks a free one).", DefaultValueFactory = _ => 8001 };
        var capacity = new Option<string?>("--capacity")
            { Description = "Serving capacity, e.g. \"slots=64,prefill_tps=20000,decode_tps=2000,prefix_cache=on\". Default: unlimited (answers at once)." };
        var faults = new Option<string?>("--faults")
            { Description = "Fault rates per request, e.g. \"429=0.2,5xx=0.05,hang=0.02,malformed=0.03,truncate=0.01,retry_after_ms=100\". Default: none." };
        var judgeError = new Option<double>("--judge-error")
            { Description = "Chance the simulated judge flips a verdict it can check.", DefaultValueFactory = _ => new SimOptions().JudgeErrorRate };
        var injection = new Option<double>("--injection-share")
            { Description = "Share of judging that obeys an instruction planted in a response.", DefaultValueFactory = _ => new SimOptions().InjectionShare };
        var malformed = new Option<double>("--proposer-malformed")
            { Description = "Chance the simulated proposer returns malformed JSON.", DefaultValueFactory = _ => new SimOptions().ProposerMalformedRate };
        var dialect = new Option<string?>("--dialect", "--sim-dialect")
            { Description = $"How the judge and proposer write: {string.Join(", ", SimPerModel<SimDialect>.Names)}; server-wide, per model " +
                $"(sim-judge=think,sim-proposer=fenced) or both. Default: clean." };
        var structured = new Option<string?>("--structured", "--sim-structured")
            { Description = $"What the server does with response_format: {string.Join(", ", SimPerModel<SimStructuredOutput>.Names)}; server-wide, per model " +
                $"or both. Default: ignore." };
        var serve = new Command("serve", "Serve the simulated models over the OpenAI chat-completions protocol on 127.0.0.1 until Ctrl-C.")
        {
            port, seed, tasks, capacity, faults, judgeError, injection, malformed, dialect, structured,
        };
        serve.SetAction(async (parse, ct) =>
        {
            var options = new SimServerOptions
            {
                World = new SimOptions
                {
                    Seed = parse.GetValue(seed), Tasks = parse.GetValue(tasks), JudgeErrorRate = parse.GetValue(judgeError),
                    InjectionShare = parse.GetValue(injection), ProposerMalformedRate = parse.GetValue(malformed),
                    Dialects = Spec(() => SimOptions.ParseDialects(parse.GetValue(dialect), "--dialect")),
                    StructuredOutputs = Spec(() => SimOptions.ParseStructuredOutputs(parse.GetValue(structured), "--structured")),
                },
                Capacity = Spec(() => CapacitySpec.Parse(parse.GetValue(capacity))),
                Faults = Spec(() => FaultSpec.Parse(parse.GetValue(faults))),
            };
            Spec(() => { options.World.Validate(); return 0; });
            await using var server = await SimServer.StartAsync(options, parse.GetValue(port), cancellationToken: ct);
            Console.WriteLine($"Simulated models on {server.BaseUrl} (seed {options.World.Seed}, {options.World.Tasks} tasks; " +
                $"dialect {options.World.Dialects}; response_format {options.World.StructuredOutputs})");
            Console.WriteLine($"Models: {string.Join(", ", SimModels.Names)}");
            Console.WriteLine($"Use them with the endpoint spec {server.BaseUrl}#sim-judge (or any model above). Ctrl-C stops.");
            try
            {
                await Task.Delay(Timeout.Infinite, ct);
            }
            catch (OperationCanceledException)
            {
                Console.WriteLine("stopping");
            }
            return CommandRunner.Ok;
        });

        var output = new Option<string>("--out", "-o") { Description = "Prompt rows to write (JSONL).", Required = true };
        var gold = new Option<bool>("--gold")
            { Description = "Also write each task's hidden facets (for evaluation only; never show them to a model being graded)." };
        var export = new Command("export", "Write the world's tasks as prompt rows.") { seed, tasks, gold, output };
        export.SetAction(async (parse, ct) =>
        {
            if (parse.GetValue(tasks) < 1) throw new UsageException("--tasks must be at least 1");
            var world = new SimWorld(parse.GetValue(seed), parse.GetValue(tasks));
            var withGold = parse.GetValue(gold);
            var path = parse.GetValue(output)!;
            var count = await JsonRowSink.WriteAsync(world.Tasks, path, (w, t) => WriteTask(w, t, withGold), ct);
            Console.Error.WriteLine($"wrote {count} prompts to {path}");
            return CommandRunner.Ok;
        });
        return new Command("sim", "The simulated world: deterministic stand-in models for tests, demos and benchmarks.") { serve, export };
    }

    private static void WriteTask(Utf8JsonWriter w, SimTask t, bool withGold)
    {
        w.WriteStartObject();
        w.WriteString("prompt_id", t.Id);
        w.WriteString("prompt", t.Prompt);
        w.WriteStartArray("tags");
        w.WriteStringValue($"domain:{t.Domain}");
        w.WriteEndArray();
        if (withGold)
        {
            w.WriteStartObject("gold");
            JsonNumbers.Write(w, "positive_mass", t.PositiveMass);
            w.WriteStartArray("facets");
            foreach (var f in t.Facets)
            {
                w.WriteStartObject();
                w.WriteString("id", f.Id);
                w.WriteString("tier", f.Tier.ToString().ToLowerInvariant());
                w.WriteString("phrase", f.Phrase);
                JsonNumbers.Write(w, "value", f.Value);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    private static T Spec<T>(Func<T> parse)
    {
        try
        {
            return parse();
        }
        catch (Exception ex) when (ex is FormatException or ArgumentOutOfRangeException)
        {
            throw UsageException.From(ex);
        }
    }
}
