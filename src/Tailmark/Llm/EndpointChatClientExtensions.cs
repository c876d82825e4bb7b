using Microsoft.Extensions.AI;

namespace Tailmark.Llm;

/// <summary>
/// What Tailmark asks of any <see cref="IChatClient"/> through <see cref="IChatClient.GetService"/>: the endpoint it
/// reaches, its usage so far, and the usability of its answers. Clients built by <see cref="EndpointClient"/> offer all
/// three; another client needs at least <see cref="ChatClientMetadata"/> with a model id.
/// </summary>
public static class EndpointChatClientExtensions
{
    /// <summary>
    /// The endpoint the client reaches: its <see cref="EndpointSpec"/>, else one made from its metadata (provider URL and
    /// model), with default limits and no price.
    /// </summary>
    /// <exception cref="ArgumentException">The client names neither, so its answers could not be told from another's (cache keys).</exception>
    public static EndpointSpec Endpoint(this IChatClient client)
    {
        if (client.GetService<EndpointSpec>() is { } spec) return spec;
        if (client.GetService<ChatClientMetadata>() is { DefaultModelId: { Length: > 0 } model } metadata)
        {
            var name = metadata.ProviderUri is { } uri ? $"{uri}#{model}" : $"{metadata.ProviderName ?? "client"}:{model}";
            return new EndpointSpec(name, EndpointKind.Http, metadata.ProviderUri, model, null, new EndpointLimits(), PriceTable.Free);
        }
        throw new ArgumentException($"the chat client ({client.GetType().Name}) names no endpoint: it offers neither an EndpointSpec nor metadata with a " +
            $"model id", nameof(client));
    }

    /// <summary>The client's calls, retries, failures, tokens, cost and answers so far; zero when it keeps no count.</summary>
    public static Usage UsageSoFar(this IChatClient client) => client.GetService<UsageMeter>()?.Snapshot() ?? Usage.Zero;

    /// <summary>
    /// Reports whether the answer to one question, after the caller's repairs, could be used (see
    /// <see cref="FailFastChatClient.NoteAnswer"/>); counted even by a client that never stops.
    /// </summary>
    /// <exception cref="EndpointUnusableException">A batch job's endpoint has given only unusable answers, as many as its limit.</exception>
    public static void NoteAnswer(this IChatClient client, bool usable, string? description = null)
    {
        if (client.GetService<FailFastChatClient>() is { } failFast) failFast.NoteAnswer(usable, description);
        else client.GetService<UsageMeter>()?.Answer(usable);
    }
}
