using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Tailmark.Sim.Server;

/// <summary>
/// The simulated world's HTTP face: an OpenAI-compatible server on 127.0.0.1 (<c>POST /v1/chat/completions</c>,
/// <c>GET /v1/models</c>, plus <c>GET /v1/sim/stats</c> and <c>POST /v1/sim/stats/reset</c>). Port 0 picks a free
/// port, which is how tests and the demo start one in process.
/// </summary>
public sealed class SimServer : IAsyncDisposable
{
    private readonly WebApplication _app;

    private SimServer(WebApplication app, SimService service, Uri baseUrl)
    {
        _app = app;
        Service = service;
        BaseUrl = baseUrl;
    }

    /// <summary>The API base, e.g. <c>http://127.0.0.1:43117/v1</c>.</summary>
    public Uri BaseUrl { get; }

    public SimService Service { get; }

    public SimWorld World => Service.World;

    public static async Task<SimServer> StartAsync(SimServerOptions options, int port = 0, IPAddress? address = null,
        CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(address ?? IPAddress.Loopback, port);
            k.Limits.MaxRequestBodySize = 64 * 1024 * 1024;
        });
        builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, SimWireContext.Default));
        var app = builder.Build();
        var service = new SimService(options);
        Map(app, service);
        await app.StartAsync(cancellationToken).ConfigureAwait(false);
        var address0 = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        var bound = new Uri(address0.Replace("[::]", "127.0.0.1", StringComparison.Ordinal));
        return new SimServer(app, service, new Uri(bound, "/v1"));
    }

    private static void Map(WebApplication app, SimService service)
    {
        app.MapPost("/v1/chat/completions", async (HttpContext context) =>
        {
            ChatRequestWire? wire;
            try
            {
                wire = await JsonSerializer.DeserializeAsync(context.Request.Body, SimWireContext.Default.ChatRequestWire,
                    context.RequestAborted).ConfigureAwait(false);
            }
            catch (JsonException ex)
            {
                return SimService.Error(400, $"malformed JSON body: {ex.Message}", "invalid_request_error", null);
            }
            if (wire is null) return SimService.Error(400, "empty body", "invalid_request_error", null);
            try
            {
                return await service.CompleteAsync(wire, context.RequestAborted).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
            {
                return Results.Empty; // the client gave up; nobody reads the answer
            }
        });
        app.MapGet("/v1/models", () => Results.Json(
            new ModelListWire("list", [.. SimModels.Names.Select(n => new ModelWire(n, "model", 1_700_000_000, "tailmark-sim"))]),
            SimWireContext.Default.ModelListWire));
        app.MapGet("/v1/sim/stats", () => Results.Json(service.Stats.Snapshot(), SimWireContext.Default.SimStatsWire));
        app.MapPost("/v1/sim/stats/reset", () =>
        {
            service.Stats.Reset();
            return Results.NoContent();
        });
    }

    /// <summary>Blocks until the server is stopped (Ctrl-C in <c>tailmark sim serve</c>).</summary>
    public Task WaitForShutdownAsync(CancellationToken cancellationToken = default) => _app.WaitForShutdownAsync(cancellationToken);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }
}
