
namespace Tailmark.Sim.Server;

/// <summary>Everything a simulated server needs: the world's knobs, its capacity and its faults.</summary>
public sealed record SimServerOptions
{
    public SimOptions World { get; init; } = new();
    public CapacitySpec Capacity { get; init; } = CapacitySpec.Unlimited;
    public FaultSpec Faults { get; init; } = FaultSpec.None;

    /// <summary>How long a "hang" fault holds a request before answering 504, if the client has not given up.</summary>
    public TimeSpan HangLimit { get; init; } = TimeSpan.FromMinutes(5);
}
