namespace Tailmark.Llm;

/// <summary>
/// Which model on which server, with that endpoint's limits. Written as an option string: <c>sim</c> or
/// <c>sim:MODEL</c>, <c>openai:MODEL</c>, <c>http(s)://host:port/v1#MODEL</c>, replicas of one model as
/// <c>http://a:8000/v1,http://b:8000/v1#MODEL</c>, or a name from the endpoints file (<see cref="EndpointConfig"/>).
/// </summary>
public sealed record EndpointSpec(string Name, EndpointKind Kind, Uri? BaseUrl, string Model, string? ApiKey, EndpointLimits Limits, PriceTable Prices)
{
    /// <summary>
    /// A stable text naming server and model, used in cache keys (never the API key). Replicas of one model share
    /// their verdicts whichever of them answered, so a replicated endpoint's identity is its name and model, not a URL:
    /// adding or removing a replica keeps its cache.
    /// </summary>
    public string Identity => Kind == EndpointKind.Sim ? $"sim#{Model}" : Replicas.Count > 1 ? $"replicas:{Name}#{Model}" : $"{BaseUrl}#{Model}";

    /// <summary>
    /// The base URLs of several servers of this one model (vLLM or SGLang replicas), or empty: only <see cref="BaseUrl"/>
    /// (which is then the first of them). Calls go through <see cref="ReplicaRouterChatClient"/>.
    /// </summary>
    public IReadOnlyList<Uri> Replicas { get; init; } = [];

    /// <summary>How calls are spread over <see cref="Replicas"/>: ejection, and affinity or round robin.</summary>
    public ReplicaRouting Routing { get; init; } = ReplicaRouting.Default;

    /// <summary>How this endpoint is asked: structured output, reasoning effort and reasoning allowance.</summary>
    public EndpointRequestOptions Request { get; init; } = EndpointRequestOptions.Default;

    public EndpointSpec WithBaseUrl(Uri baseUrl) => this with { BaseUrl = baseUrl };

    public override string ToString() => Name;
}
