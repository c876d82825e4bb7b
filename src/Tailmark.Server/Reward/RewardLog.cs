using Microsoft.Extensions.Logging;

namespace Tailmark.Server.Reward;

/// <summary>
/// The reward server's log messages (stderr), structured: every request line carries its endpoint and request id.
/// Tokens and keys are never logged; prompts only by hash.
/// </summary>
internal static partial class RewardLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "{Endpoint} request {RequestId}: no rubric found for any item ({Reason}); {Suppressed} more such requests since the last warning. Check " +
            "the prompt ids and chat templates the trainer sends (docs/integrations.md)")]
    public static partial void NothingFound(ILogger logger, string endpoint, string requestId, string reason, int suppressed);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning,
        Message = "{Endpoint} request {RequestId}: {Count} of {Items} items not graded within the deadline of {DeadlineMs} ms")]
    public static partial void DeadlineMissed(ILogger logger, string endpoint, string requestId, int count, int items, double deadlineMs);

    // Debug: `serve` says the same on stderr itself, and a host that stops an embedded server (the demo) should not print it.
    [LoggerMessage(EventId = 3, Level = LogLevel.Debug,
        Message = "stopping: no new connections; answering the requests in flight (drain up to {Seconds} s)")]
    public static partial void Draining(ILogger logger, double seconds);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "internal error answering {Method} {Path}")]
    public static partial void Internal(ILogger logger, Exception exception, string method, string path);

    /// <summary>One line per answered request: Debug when every item was graded, Information when some were not.</summary>
    [LoggerMessage(EventId = 5, Message = "{Endpoint} request {RequestId}: {Items} items, {Ungraded} ungraded, answered in {LatencyMs:0.0} ms")]
    public static partial void Answered(ILogger logger, LogLevel level, string endpoint, string requestId, int items, int ungraded, double latencyMs);
}
