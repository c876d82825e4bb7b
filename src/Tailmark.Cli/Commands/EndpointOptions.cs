using System.CommandLine;
using Tailmark.Cli.Hosting;
using Tailmark.Server.Sim;
using Tailmark.Sim;

namespace Tailmark.Cli.Commands;

/// <summary>
/// The options every command that calls models shares: the file of named endpoints (<c>--endpoints</c>) and the
/// simulated world a <c>sim</c> spec starts in process (<c>--sim-*</c>).
/// </summary>
internal sealed class EndpointOptions
{
    public Option<string?> File { get; } = new("--endpoints") { Description = "YAML file of named endpoints with their limits and prices." };

    public Option<int> Seed { get; } = new("--sim-seed") { Description = "Seed of the in-process simulated world (for sim endpoints).", DefaultValueFactory = _ => new SimOptions().Seed };
    public Option<int> Tasks { get; } = new("--sim-tasks") { Description = "Tasks in the in-process simulated world.", DefaultValueFactory = _ => new SimOptions().Tasks };
    public Option<string?> Faults { get; } = new("--sim-faults") { Description = "Faults the in-process simulated server injects, as for `sim serve --faults`." };
    public Option<string?> Capacity { get; } = new("--sim-capacity") { Description = "Capacity of the in-process simulated server, as for `sim serve --capacity`." };

    public void AddTo(Command command)
    {
        command.Options.Add(File);
        command.Options.Add(Seed);
        command.Options.Add(Tasks);
        command.Options.Add(Faults);
        command.Options.Add(Capacity);
    }

    /// <summary>The endpoints of this command; see <see cref="Endpoints"/> for what the flags change.</summary>
    public Endpoints Open(ParseResult parse, bool stopOnUnusableEndpoint = true, bool offline = false) =>
        new(parse.GetValue(File), Bind(parse)) { StopOnUnusableEndpoint = stopOnUnusableEndpoint, Offline = offline };

    public SimServerOptions Bind(ParseResult parse)
    {
        if (parse.GetValue(Tasks) < 1) throw new UsageException($"--sim-tasks must be at least 1, not {parse.GetValue(Tasks)}");
        try
        {
            return new SimServerOptions
            {
                World = new SimOptions { Seed = parse.GetValue(Seed), Tasks = parse.GetValue(Tasks) },
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
