namespace Tailmark.Server.Reward;

/// <summary>Lets one message through per <paramref name="interval"/>, counting the ones held back in between.</summary>
public sealed class LogThrottle(TimeSpan interval, TimeProvider? time = null)
{
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private readonly Lock _lock = new();
    private DateTimeOffset _next = DateTimeOffset.MinValue;
    private int _held;

    /// <summary>True when the message may be written now; <paramref name="suppressed"/> is how many were held back since the last one.</summary>
    public bool TryPass(out int suppressed)
    {
        lock (_lock)
        {
            var now = _time.GetUtcNow();
            if (now < _next)
            {
                _held++;
                suppressed = 0;
                return false;
            }
            suppressed = _held;
            _held = 0;
            _next = now + interval;
            return true;
        }
    }
}
