using System.ClientModel;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.AI;

namespace Tailmark.Llm;

/// <summary>
/// The transport of an endpoint served by several replicas of one model: each attempt goes to one replica's client.
/// <list type="bullet">
/// <item>Affinity: a call carrying <see cref="ChatOptionKeys.AffinityKey"/> goes to the key's replica by rendezvous hashing
/// (<see cref="ReplicaChoice"/>), so the calls about one response meet the prefix cache that holds it; without a key, or
/// with affinity off (<see cref="ReplicaRouting.Affinity"/>), round robin.</item>
/// <item>Spill-over: when that replica holds its share of the endpoint's concurrency (concurrency ÷ replicas, rounded up)
/// and the least-loaded healthy replica holds under half its share, the call goes to that one (when all are that busy,
/// a spill would gain no throughput and lose the prefix cache, so the call queues at its own replica); an ejected
/// replica's keys go to their next replica in rendezvous order (so each still meets one cache); a retry prefers a replica the call has not tried.</item>
/// <item>Ejection: <see cref="ReplicaRouting.EjectAfter"/> failures in a row (connection refused, 5xx, a timed-out
/// attempt) eject a replica for <see cref="ReplicaRouting.EjectFor"/> on the injected clock; then the next call probes it:
/// an answer brings it back, a failure ejects it again for twice as long (up to <see cref="ReplicaRouting.MaxEjectFor"/>).
/// When every replica is ejected, the one due back first is tried rather than failing the call unasked.</item>
/// </list>
/// It sits under the resilience stage, which bounds the calls in flight, retries and times each attempt out.
/// Per-replica counts: <see cref="Snapshot"/>, and the counters <c>tailmark.llm.replica.*</c> of the meter
/// <see cref="EndpointClient.ActivitySourceName"/>.
/// </summary>
public sealed class ReplicaRouterChatClient : IChatClient
{
    private static readonly Meter Meter = new(EndpointClient.ActivitySourceName);
    private static readonly Counter<long> CallsCounter = Meter.CreateCounter<long>("tailmark.llm.replica.calls",
        description: "Attempts sent to each judge replica, by outcome (ok, failed, other)");
    private static readonly Counter<long> SpillsCounter = Meter.CreateCounter<long>("tailmark.llm.replica.spills",
        description: "Calls a replica took that affinity would have sent to another");
    private static readonly Counter<long> EjectionsCounter = Meter.CreateCounter<long>("tailmark.llm.replica.ejections",
        description: "Times a replica was ejected after failing");
    private static readonly Counter<long> CachedCounter = Meter.CreateCounter<long>("tailmark.llm.replica.cached_prompt_tokens",
        description: "Prompt tokens each replica's prefix cache served");
    private static readonly Counter<long> PromptCounter = Meter.CreateCounter<long>("tailmark.llm.replica.prompt_tokens",
        description: "Prompt tokens sent to each replica");

    private readonly EndpointSpec _spec;
    private readonly Replica[] _replicas;
    private readonly string[] _names;
    private readonly ReplicaRouting _routing;
    private readonly TimeProvider _time;
    private readonly int _share;
    private readonly int _spillBelow;
    private readonly Lock _lock = new();
    private long _roundRobin;

    /// <param name="spec">The endpoint: its name, its concurrency (whose share saturates a replica) and its routing.</param>
    /// <param name="replicas">Each replica's URL and its client (an OpenAI SDK adapter for that URL).</param>
    /// <param name="time">The clock of ejections.</param>
    public ReplicaRouterChatClient(EndpointSpec spec, IReadOnlyList<(Uri Url, IChatClient Client)> replicas, TimeProvider? time = null)
    {
        ArgumentOutOfRangeException.ThrowIfZero(replicas.Count);
        _spec = spec;
        _routing = spec.Routing.Validated();
        _time = time ?? TimeProvider.System;
        _replicas = [.. replicas.Select(r => new Replica(r.Url, r.Client, _routing.EjectFor))];
        _names = [.. replicas.Select(r => r.Url.AbsoluteUri)];
        _share = (spec.Limits.Concurrency + replicas.Count - 1) / replicas.Count;
        _spillBelow = Math.Max(1, _share / 2);
    }

    /// <summary>The most calls a replica holds before the next call for it spills over.</summary>
    public int Share => _share;

    public async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        var key = options?.AdditionalProperties?.TryGetValue(ChatOptionKeys.AffinityKey, out var k) == true ? k as string : null;
        var trail = options?.AdditionalProperties?.TryGetValue(ChatOptionKeys.ReplicaTrail, out var t) == true ? t as ReplicaTrail : null;
        var (index, probe) = Choose(key, trail);
        trail?.Add(index);
        var replica = _replicas[index];
        try
        {
            var response = await replica.Client.GetResponseAsync(messages, WithoutOurKeys(options), cancellationToken).ConfigureAwait(false);
            Done(index, probe, Outcome.Ok, response.Usage);
            return response;
        }
        catch (Exception ex)
        {
            Done(index, probe, Classify(ex, trail?.CallerToken ?? cancellationToken), null);
            throw;
        }
    }

    public IAsyncEnumerable<ChatResponseUpdate> GetStreamingResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default) =>
        throw new NotSupportedException("Tailmark does not stream judge, proposer or generator answers");

    public object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType.IsInstanceOfType(this) ? this : _replicas[0].Client.GetService(serviceType, serviceKey);

    /// <summary>Each replica's counts so far, in the order the endpoint lists them.</summary>
    public IReadOnlyList<ReplicaUsage> Snapshot()
    {
        lock (_lock)
        {
            return [.. _replicas.Select(r =>
                new ReplicaUsage(r.Url, r.Calls, r.Failures, r.SpilledIn, r.Ejections, r.PromptTokens, r.CachedTokens, r.InFlight,
                    r.EjectedUntil is not null))];
        }
    }

    // Which replica takes this attempt, and whether the attempt probes an ejected one; counts it in flight.
    private (int Index, bool Probe) Choose(string? key, ReplicaTrail? trail)
    {
        var now = _time.GetUtcNow();
        lock (_lock)
        {
            int chosen;
            var probe = false;
            var owner = key is not null && _routing.Affinity ? ReplicaChoice.Owner(_names, key) : -1;
            var due = Array.FindIndex(_replicas, r => r.EjectedUntil is { } until && now >= until && !r.Probing);
            if (due >= 0 && trail?.Tried(due) != true)
            {
                // The next call after an ejection's back-off probes the replica.
                chosen = due;
                probe = true;
                _replicas[due].Probing = true;
            }
            else
            {
                var healthy = Enumerable.Range(0, _replicas.Length).Where(i => _replicas[i].EjectedUntil is null).ToList();
                var fresh = healthy.Where(i => trail?.Tried(i) != true).ToList();
                var pool = fresh.Count > 0 ? fresh : healthy;
                if (pool.Count == 0)
                {
                    // Every replica is ejected (or probing): try the one due back first rather than fail unasked.
                    chosen = Enumerable.Range(0, _replicas.Length).MinBy(i => _replicas[i].EjectedUntil!.Value);
                }
                else
                {
                    var preferred = owner >= 0 ? pool.MaxBy(i => ReplicaChoice.Weight(_names[i], key!))
                        : pool[(int)((ulong)Interlocked.Increment(ref _roundRobin) % (ulong)pool.Count)];
                    chosen = preferred;
                    if (_replicas[preferred].InFlight >= _share)
                    {
                        // Saturated: spill to the least-loaded replica if it has room to spare (under half its share). When
                        // every replica is busy a spill gains no throughput and costs the prefix cache, so the call waits
                        // in its own replica's queue instead.
                        var least = pool.MinBy(i => (_replicas[i].InFlight, i == preferred ? 0 : 1));
                        if (_replicas[least].InFlight < _spillBelow) chosen = least;
                    }
                }
            }
            var replica = _replicas[chosen];
            replica.InFlight++;
            if (owner >= 0 && chosen != owner)
            {
                replica.SpilledIn++;
                SpillsCounter.Add(1, Tags(chosen));
            }
            return (chosen, probe);
        }
    }

    private enum Outcome { Ok, Failed, Other }

    // A replica's failure is what says the server is unwell: no connection, a 5xx, an attempt timed out (cancelled
    // while the caller was not). A 4xx or 429 is the request's or the load's, and the caller's cancellation is neither.
    private static Outcome Classify(Exception ex, CancellationToken callerToken) => ex switch
    {
        ClientResultException c => c.Status is 0 or 408 or >= 500 ? Outcome.Failed : Outcome.Other,
        HttpRequestException or IOException => Outcome.Failed,
        OperationCanceledException when !callerToken.IsCancellationRequested => Outcome.Failed,
        _ => Outcome.Other,
    };

    private void Done(int index, bool probe, Outcome outcome, UsageDetails? usage)
    {
        var replica = _replicas[index];
        var ejected = false;
        lock (_lock)
        {
            replica.InFlight--;
            if (probe) replica.Probing = false;
            switch (outcome)
            {
                case Outcome.Ok:
                    replica.Calls++;
                    replica.PromptTokens += usage?.InputTokenCount ?? 0;
                    replica.CachedTokens += usage?.CachedInputTokenCount ?? 0;
                    replica.FailuresInARow = 0;
                    replica.EjectedUntil = null;
                    replica.NextEjection = _routing.EjectFor;
                    break;
                case Outcome.Failed:
                    replica.Failures++;
                    replica.FailuresInARow++;
                    // A failed probe ejects again at once; otherwise only the N-th failure in a row of a replica in service.
                    if (probe || (replica.EjectedUntil is null && replica.FailuresInARow >= _routing.EjectAfter))
                    {
                        replica.EjectedUntil = _time.GetUtcNow() + replica.NextEjection;
                        replica.NextEjection = TimeSpan.FromTicks(Math.Min(replica.NextEjection.Ticks * 2, _routing.MaxEjectFor.Ticks));
                        replica.Ejections++;
                        ejected = true;
                    }
                    break;
            }
        }
        var tags = Tags(index);
        CallsCounter.Add(1, [.. tags, new("outcome", outcome switch { Outcome.Ok => "ok", Outcome.Failed => "failed", _ => "other" })]);
        if (ejected) EjectionsCounter.Add(1, tags);
        if (usage is not null)
        {
            PromptCounter.Add(usage.InputTokenCount ?? 0, tags);
            CachedCounter.Add(usage.CachedInputTokenCount ?? 0, tags);
        }
    }

    private KeyValuePair<string, object?>[] Tags(int index) => [new("endpoint", _spec.Name), new("replica", _names[index])];

    // Our keys steer the pipeline; none of them is for the server.
    private static ChatOptions? WithoutOurKeys(ChatOptions? options)
    {
        if (options?.AdditionalProperties is not { } extra
            || !(extra.ContainsKey(ChatOptionKeys.AffinityKey) || extra.ContainsKey(ChatOptionKeys.ReplicaTrail))) return options;
        var copy = options.Clone();
        copy.AdditionalProperties!.Remove(ChatOptionKeys.AffinityKey);
        copy.AdditionalProperties.Remove(ChatOptionKeys.ReplicaTrail);
        return copy;
    }

    public void Dispose()
    {
        foreach (var r in _replicas) r.Client.Dispose();
    }

    // One replica's state, guarded by the router's lock.
    private sealed class Replica(Uri url, IChatClient client, TimeSpan firstEjection)
    {
        public Uri Url => url;
        public IChatClient Client => client;
        public int InFlight;
        public int FailuresInARow;
        public DateTimeOffset? EjectedUntil;
        public TimeSpan NextEjection = firstEjection;
        public bool Probing;
        public long Calls, Failures, SpilledIn, Ejections, PromptTokens, CachedTokens;
    }
}
