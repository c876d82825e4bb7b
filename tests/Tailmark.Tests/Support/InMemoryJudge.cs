using System.Runtime.CompilerServices;
using Microsoft.Extensions.AI;
using Tailmark.Llm;
using Tailmark.Sim;

namespace Tailmark.Tests.Support;

/// <summary>
/// The simulated world's models behind <see cref="IChatClient"/> in process, for the fast tier's tests of the grading
/// walk: the same deterministic answers <c>SimServer</c> gives over HTTP, without Kestrel. <see cref="Before"/> runs
/// before each answer (a test's gate, a fault); <see cref="InFlight"/> and <see cref="PeakInFlight"/> count the calls.
/// </summary>
public sealed class InMemoryJudge(SimWorld world, SimOptions? options = null) : IChatClient
{
    private readonly SimModels _models = new(world, options ?? new SimOptions { Seed = world.Seed, Tasks = world.Tasks.Length });
    private int _inFlight;
    private int _peak;

    public Func<IReadOnlyList<ChatMessage>, CancellationToken, Task>? Before { get; init; }

    public int InFlight => Volatile.Read(ref _inFlight);

    public int PeakInFlight => Volatile.Read(ref _peak);

    /// <summary>This judge behind the resilient client the engine takes (a sim spec: no key, free).</summary>
    public IChatClient Client(EndpointLimits? limits = null)
    {
        var spec = new EndpointSpec("memory:sim-judge", EndpointKind.Sim, new Uri("http://127.0.0.1/v1"), SimModels.Judge, null, limits
            ?? new EndpointLimits { Concurrency = 64 }, PriceTable.Free);
        return EndpointClient.Create(spec, this);
    }

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var list = messages.ToList();
        var now = Interlocked.Increment(ref _inFlight);
        int peak;
        while (now > (peak = Volatile.Read(ref _peak)) && Interlocked.CompareExchange(ref _peak, now, peak) != peak)
        {
            // another call raised the peak first; look again
        }
        try
        {
            if (Before is not null) await Before(list, cancellationToken).ConfigureAwait(false);
            var format = options?.ResponseFormat switch
            {
                ChatResponseFormatJson { Schema: not null } => "json_schema",
                ChatResponseFormatJson => "json_object",
                _ => "text",
            };
            var request = new SimRequest(options?.ModelId ?? SimModels.Judge, [.. list.Select(m => (m.Role.Value, m.Text))], 1, options?.Seed,
                options?.MaxOutputTokens, format);
            var choice = _models.Respond(request)[0];
            return new ChatResponse(new ChatMessage(ChatRole.Assistant, choice.Content))
            {
                FinishReason = choice.FinishReason == "length" ? ChatFinishReason.Length : ChatFinishReason.Stop,
                Usage = new UsageDetails { InputTokenCount = 0, OutputTokenCount = 0 },
            };
        }
        finally
        {
            Interlocked.Decrement(ref _inFlight);
        }
    }

    public async IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        foreach (var update in (await GetResponseAsync(messages, options,
            cancellationToken).ConfigureAwait(false)).ToChatResponseUpdates()) yield return update;
    }

    public object? GetService(Type serviceType, object? serviceKey = null) => serviceType.IsInstanceOfType(this) ? this : null;

    public void Dispose()
    {
    }
}
