using Microsoft.Extensions.Logging;

namespace Tailmark.Server.Reward;

/// <summary>The reward server's log messages (stderr). Tokens and keys are never logged; prompts only by hash.</summary>
internal static partial class RewardLog
{
    [LoggerMessage(EventId = 1, Level = LogLevel.Warning,
        Message = "{Endpoint}: no rubric found for any item of a request ({Reason}); {Suppressed} more such requests since the last warning. Check the prompt ids and chat templates the trainer sends (docs/integrations.md)")]
    public static partial void NothingFound(ILogger logger, string endpoint, string reason, int suppressed);

    [LoggerMessage(EventId = 2, Level = LogLevel.Warning, Message = "{Endpoint}: {Count} of {Items} items not graded within the deadline of {DeadlineMs} ms")]
    public static partial void DeadlineMissed(ILogger logger, string endpoint, int count, int items, double deadlineMs);

    [LoggerMessage(EventId = 3, Level = LogLevel.Information, Message = "stopping: no new connections; answering the requests in flight (drain up to {Seconds} s)")]
    public static partial void Draining(ILogger logger, double seconds);

    [LoggerMessage(EventId = 4, Level = LogLevel.Error, Message = "internal error answering {Method} {Path}")]
    public static partial void Internal(ILogger logger, Exception exception, string method, string path);
}
