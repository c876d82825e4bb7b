using System.CommandLine;
using Tailmark.Cli.Hosting;
using Tailmark.Llm;
using Tailmark.Sim.Server;
using Tailmark.Sim;

namespace Tailmark.Cli.Commands;

/// <summary>
/// The options every command that calls models shares: the file of named endpoints (<c>--endpoints</c>), how to ask
/// endpoints not named in it (<c>--structured-output</c>, <c>--reasoning-effort</c>, <c>--reasoning-tokens</c>), and the
/// simulated world a <c>sim</c> spec starts in process (<c>--sim-*</c>).
/// </summary>
internal sealed class EndpointOptions
{
    public Option<string?> File { get; } = new("--endpoints") { Description = "YAML file of named endpoints with their limits and prices." };

    public Option<int> Seed { get; } = new("--sim-seed")
        { Description = "Seed of the in-process simulated world (for sim endpoints).", DefaultValueFactory = _ => new SimOptions().Seed };
    public Option<int> Tasks { get; } = new("--sim-tasks")
        { Description = "Tasks in the in-process simulated world.", DefaultValueFactory = _ => new SimOptions().Tasks };
    public Option<string?> Faults { get; } = new("--sim-faults")
        { Description = "Faults the in-process simulated server injects, as for `sim serve --faults`." };
    public Option<string?> Capacity { get; } = new("--sim-capacity")
        { Description = "Capacity of the in-process simulated server, as for `sim serve --capacity`." };
    public Option<string?> Dialect { get; } = new("--sim-dialect")
        { Description = $"How the in-process simulated judge and proposer write, as for `sim serve --dialect` " +
            $"({string.Join(", ", SimPerModel<SimDialect>.Names)}; per model: sim-judge=think,sim-proposer=fenced)." };
    public Option<string?> Structured { get; } = new("--sim-structured")
        { Description = "What the in-process simulated server does with response_format, as for `sim serve --structured` (ignore, honour, json-object-only, " +
            "reject; per model too)." };

    public Option<string> StructuredOutput { get; } = new("--structured-output")
        { Description = "What endpoints not named in the endpoints file are asked for when JSON is wanted: auto (json_schema, falling back to json_object, " +
            "then plain text), json_schema, json_object or none.", DefaultValueFactory = _ => "auto" };
    public Option<string?> ReasoningEffort { get; } = new("--reasoning-effort")
        { Description = "reasoning_effort sent to endpoints not named in the endpoints file (e.g. low, medium, high; default: not sent)." };
    public Option<int> ReasoningTokens { get; } = new("--reasoning-tokens")
        { Description = "Tokens allowed for reasoning on every call, added to the output budget, for endpoints not named in the endpoints file (a reasoning " +
            "judge needs a few thousand).", DefaultValueFactory = _ => 0 };

    public void AddTo(Command command)
    {
        command.Options.Add(File);
        command.Options.Add(StructuredOutput);
        command.Options.Add(ReasoningEffort);
        command.Options.Add(ReasoningTokens);
        command.Options.Add(Dialect);
        command.Options.Add(Structured);
        command.Options.Add(Seed);
        command.Options.Add(Tasks);
        command.Options.Add(Faults);
        command.Options.Add(Capacity);
    }

    /// <summary>The endpoints of this command; see <see cref="Endpoints"/> for what the flags change.</summary>
    public Endpoints Open(ParseResult parse, bool stopOnUnusableEndpoint = true, bool offline = false) =>
        new(parse.GetValue(File), Bind(parse)) { StopOnUnusableEndpoint = stopOnUnusableEndpoint, Offline = offline, Request = Request(parse) };

    /// <summary>How to ask endpoints not named in the endpoints file.</summary>
    public EndpointRequestOptions Request(ParseResult parse)
    {
        var mode = EndpointRequestOptions.ParseMode(parse.GetValue(StructuredOutput)!)
            ?? throw new UsageException($"--structured-output must be auto, json_schema, json_object or none, not '{parse.GetValue(StructuredOutput)}'");
        try
        {
            return new EndpointRequestOptions { StructuredOutput = mode, ReasoningEffort = parse.GetValue(ReasoningEffort),
                ReasoningTokens = parse.GetValue(ReasoningTokens) }.Validated();
        }
        catch (ArgumentOutOfRangeException ex)
        {
            throw new UsageException(ex.ParamName == nameof(EndpointRequestOptions.ReasoningTokens)
                ? $"--reasoning-tokens must be between 0 and {EndpointRequestOptions.MaxReasoningTokens}, not {parse.GetValue(ReasoningTokens)}"
                : $"--reasoning-effort must be one word such as low, medium or high, not '{parse.GetValue(ReasoningEffort)}'");
        }
    }

    public SimServerOptions Bind(ParseResult parse)
    {
        if (parse.GetValue(Tasks) < 1) throw new UsageException($"--sim-tasks must be at least 1, not {parse.GetValue(Tasks)}");
        try
        {
            return new SimServerOptions
            {
                World = new SimOptions
                {
                    Seed = parse.GetValue(Seed), Tasks = parse.GetValue(Tasks),
                    Dialects = SimOptions.ParseDialects(parse.GetValue(Dialect)),
                    StructuredOutputs = SimOptions.ParseStructuredOutputs(parse.GetValue(Structured)),
                },
                Faults = FaultSpec.Parse(parse.GetValue(Faults)),
                Capacity = CapacitySpec.Parse(parse.GetValue(Capacity)),
                HangLimit = TimeSpan.FromSeconds(30),
            };
        }
        catch (FormatException ex)
        {
            throw new UsageException(ex.Message);
        }
    }
}
