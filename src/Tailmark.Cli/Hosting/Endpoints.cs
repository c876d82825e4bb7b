using Microsoft.Extensions.AI;
using Tailmark.Llm;
using Tailmark.Sim.Server;
using Tailmark.Sim;

namespace Tailmark.Cli.Hosting;

/// <summary>
/// Turns endpoint option strings into resilient chat clients for a command. A <c>sim</c> spec starts the
/// simulated world once, in process, on a free loopback port, and is then reached over HTTP like any server.
/// </summary>
internal sealed class Endpoints : IAsyncDisposable
{
    private readonly EndpointConfig _config;
    private readonly SimServerOptions _simOptions;
    private readonly List<IChatClient> _clients = [];
    private SimServer? _sim;

    public Endpoints(string? configPath, SimServerOptions simOptions)
    {
        _config = configPath is null ? EndpointConfig.Empty : EndpointConfig.Load(configPath);
        foreach (var spec in _config.Endpoints.Values) CommandRunner.Secrets.Add(spec.ApiKey);
        _simOptions = simOptions;
    }

    private readonly HashSet<string> _probed = new(StringComparer.Ordinal);

    /// <summary>
    /// Whether an unusable endpoint stops the command: one that cannot be reached or refuses the key when it is
    /// opened, or fails its first <see cref="FailFastCalls"/> calls with none answered (or gives that many unusable answers
    /// with none usable). True for batch commands, which
    /// would otherwise grade a whole file into CannotAssess; the reward server only warns, since its judge may come up
    /// after it.
    /// </summary>
    public bool StopOnUnusableEndpoint { get; init; } = true;

    /// <summary>
    /// Opens clients that will never be called (a dry run): no simulated server is started and no server is checked.
    /// Specs, limits, prices and cache identities are as for a real run.
    /// </summary>
    public bool Offline { get; init; }

    /// <summary>How to ask endpoints not named in the endpoints file (structured output, reasoning effort and allowance).</summary>
    public EndpointRequestOptions Request { get; init; } = EndpointRequestOptions.Default;

    /// <summary>Failed calls with none answered, or unusable answers with none usable, after which a batch command stops.</summary>
    public const int FailFastCalls = 20;

    public IReadOnlyList<IChatClient> Clients => _clients;

    public SimServer? Sim => _sim;

    public async Task<IChatClient> OpenAsync(string text, string defaultSimModel, EndpointLimits? limits, CancellationToken ct)
    {
        EndpointSpec spec;
        try
        {
            spec = EndpointSpecParser.Parse(text, defaultSimModel, _config, limits, Request);
        }
        catch (FormatException ex)
        {
            throw new UsageException(ex.Message);
        }
        if (spec.Kind == EndpointKind.Sim)
        {
            if (!SimModels.Exists(spec.Model)) throw new UsageException($"'{text}': no simulated model '{spec.Model}' " +
                $"(models: {string.Join(", ", SimModels.Names)})");
            // A simulated judge's identity does not depend on its port, so an offline client needs no server.
            if (Offline) spec = spec.WithBaseUrl(new Uri("http://127.0.0.1/v1"));
            else
            {
                _sim ??= await SimServer.StartAsync(_simOptions, cancellationToken: ct);
                spec = spec.WithBaseUrl(_sim.BaseUrl);
            }
        }
        else if (!Offline && _probed.Add(spec.Identity + "\n" + spec.ApiKey))
        {
            await ProbeAsync(spec, ct);
        }
        CommandRunner.Secrets.Add(spec.ApiKey);
        // Batch commands stop once an endpoint has failed its first calls with none answered; the reward server goes on.
        // Notices (auto's structured-output fallback) reach standard error as the probe's warnings do.
        var client = EndpointClient.Create(spec, new EndpointClientOptions { FailFastAfter = StopOnUnusableEndpoint ? FailFastCalls : null, Notice = Warn });
        _clients.Add(client);
        return client;
    }

    private async Task ProbeAsync(EndpointSpec spec, CancellationToken ct)
    {
        try
        {
            if (await EndpointProbe.CheckAsync(spec, TimeSpan.FromSeconds(15), ct) is { } warning) Warn(warning);
        }
        catch (EndpointUnusableException ex) when (!StopOnUnusableEndpoint)
        {
            Warn($"{ex.Message}; going on, with judged criteria cannot_assess until it answers");
        }
    }

    private static void Warn(string message) => Console.Error.WriteLine($"warning: {message}");

    public Usage TotalUsage() => Usage.Total(_clients);

    public async ValueTask DisposeAsync()
    {
        foreach (var c in _clients) c.Dispose();
        if (_sim is not null) await _sim.DisposeAsync();
    }
}
