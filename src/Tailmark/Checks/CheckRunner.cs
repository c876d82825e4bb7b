using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Tailmark.Io;

namespace Tailmark.Checks;

/// <summary>
/// Runs the check of a verifiable criterion on a response. Checks are built once per distinct specification and
/// reused (they are immutable and thread-safe). The outcome is followed / not followed, or a failure with its
/// reason (bad parameters, a regular expression that ran out of time) that the caller turns into CannotAssess.
/// </summary>
public sealed class CheckRunner
{
    private readonly ConcurrentDictionary<string, (ICheck? Check, string? Error)> _built = new(StringComparer.Ordinal);

    public (bool? Followed, string? Failure) Run(string type, IReadOnlyDictionary<string, System.Text.Json.JsonElement> parameters, string response)
    {
        var key = type + "\u0001" + string.Join("\u0001",
            parameters.OrderBy(p => p.Key, StringComparer.Ordinal).Select(p => p.Key + "=" + p.Value.GetRawText()));
        var (check, error) = _built.GetOrAdd(key, _ =>
        {
            var log = new IssueLog("check");
            var built = CheckFactory.Create(type, parameters, log);
            return (built, built is null ? string.Join("; ", log.Issues.Where(i => i.IsError).Select(i => $"{i.Field}: {i.Message}")) : null);
        });
        if (check is null) return (null, $"check {type} cannot run: {error}");
        try
        {
            return (check.IsFollowed(response), null);
        }
        catch (RegexMatchTimeoutException)
        {
            return (null, $"check {type} timed out on this response");
        }
    }
}
