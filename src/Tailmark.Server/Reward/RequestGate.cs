namespace Tailmark.Server.Reward;

/// <summary>Admission control: a bounded number of requests run, a bounded number wait; the rest are turned away (429).</summary>
internal sealed class RequestGate(RewardServerOptions options)
{
    private readonly SemaphoreSlim _running = new(options.MaxConcurrentRequests, options.MaxConcurrentRequests);
    private int _admitted;

    public int InFlight => options.MaxConcurrentRequests - _running.CurrentCount;

    public int Waiting => Math.Max(0, Volatile.Read(ref _admitted) - InFlight);

    /// <summary>Admits the request unless running plus waiting would exceed the limits; then <paramref name="waitForSlot"/> waits for a slot.</summary>
    public bool TryEnter(out Func<CancellationToken, Task> waitForSlot)
    {
        if (Interlocked.Increment(ref _admitted) > options.MaxConcurrentRequests + options.QueueLimit)
        {
            Interlocked.Decrement(ref _admitted);
            waitForSlot = _ => Task.CompletedTask;
            return false;
        }
        waitForSlot = ct => _running.WaitAsync(ct);
        return true;
    }

    /// <summary>Leaves the gate; <paramref name="running"/> says whether the request got a slot (a client that gave up while waiting did not).</summary>
    public void Leave(bool running)
    {
        Interlocked.Decrement(ref _admitted);
        if (running) _running.Release();
    }
}
