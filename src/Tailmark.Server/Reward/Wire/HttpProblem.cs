namespace Tailmark.Server.Reward.Wire;

/// <summary>An answer other than 200, thrown by a handler and written as an <see cref="ErrorBody"/> by the server.</summary>
public sealed class HttpProblem(int status, string message, string? fieldName = null, TimeSpan? retryAfter = null) : Exception(message)
{
    public int Status => status;

    public string? Field => fieldName;

    public TimeSpan? RetryAfter => retryAfter;

    /// <summary>A 400 naming <paramref name="field"/> at the front of its message.</summary>
    public static HttpProblem BadField(string field, string message) => new(400, $"{field}: {message}", field);
}
