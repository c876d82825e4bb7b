namespace Tailmark.Llm;

/// <summary>A call that failed for good: retries exhausted, a non-retryable status, or a timeout on every attempt.</summary>
public sealed class LlmCallException : Exception
{
    public LlmCallException(string message, Exception? inner = null) : base(message, inner) { }

    public LlmCallException() { }

    public LlmCallException(string message) : base(message) { }

    /// <summary>What went wrong, without the endpoint's name ("HTTP 503 …", "network error: …"); the message otherwise.</summary>
    public string? Problem { get; init; }
}
