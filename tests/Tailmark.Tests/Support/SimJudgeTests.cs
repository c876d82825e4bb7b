using Microsoft.Extensions.AI;
using Tailmark.Llm;
using Tailmark.Sim.Server;
using Tailmark.Sim;

namespace Tailmark.Tests.Support;

/// <summary>
/// Base of test classes that need the simulated server (world seed 13, four tasks, an error-free judge) and a judge
/// client over HTTP to it; both are made fresh for every test.
/// </summary>
public abstract class SimJudgeTests : IAsyncLifetime
{
    protected SimServer Sim { get; private set; } = null!;

    protected IChatClient Judge { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Sim = await SimServer.StartAsync(new SimServerOptions { World = new SimOptions { Seed = 13, Tasks = 4, JudgeErrorRate = 0 } });
        Judge = SimFixtures.Judge(Sim, new EndpointLimits { Concurrency = 64 });
    }

    public async Task DisposeAsync()
    {
        Judge.Dispose();
        await Sim.DisposeAsync();
    }
}
