namespace Tailmark.Llm;

/// <summary>
/// The endpoint cannot do the job at all — unreachable, key refused, or every call so far rejected — as opposed to
/// one call failing (<see cref="LlmCallException"/>, which becomes a CannotAssess verdict). Not caught by the judge
/// engine or the builders, so a batch command stops with a clear error instead of writing a file of CannotAssess.
/// </summary>
public sealed class EndpointUnusableException : Exception
{
    public EndpointUnusableException(string message, Exception? inner) : base(message, inner) { }

    public EndpointUnusableException() { }

    public EndpointUnusableException(string message) : base(message) { }
}
