namespace Tailmark.Llm;

/// <summary>
/// Which model on which server, with that endpoint's limits. Written as an option string: <c>sim</c> or
/// <c>sim:MODEL</c>, <c>openai:MODEL</c>, <c>http(s)://host:port/v1#MODEL</c>, or a name from the endpoints file
/// (<see cref="EndpointConfig"/>).
/// </summary>
public sealed record EndpointSpec(string Name, EndpointKind Kind, Uri? BaseUrl, string Model, string? ApiKey, EndpointLimits Limits, PriceTable Prices)
{
    /// <summary>A stable text naming server and model, used in cache keys (never the API key).</summary>
    public string Identity => Kind == EndpointKind.Sim ? $"sim#{Model}" : $"{BaseUrl}#{Model}";

    /// <summary>How this endpoint is asked: structured output, reasoning effort and reasoning allowance.</summary>
    public EndpointRequestOptions Request { get; init; } = EndpointRequestOptions.Default;

    public EndpointSpec WithBaseUrl(Uri baseUrl) => this with { BaseUrl = baseUrl };

    public override string ToString() => Name;
}
