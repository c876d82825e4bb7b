using Microsoft.Extensions.AI;

namespace Tailmark.Llm;

/// <summary>
/// Counts an endpoint's answered calls with their prompt, cached and completion tokens (hence their cost), and its calls
/// given up on (<see cref="LlmCallException"/>), in its <see cref="UsageMeter"/> — which it offers through
/// <see cref="IChatClient.GetService"/>. Cancelled calls are neither.
/// </summary>
public sealed class UsageChatClient(IChatClient inner, UsageMeter meter) : DelegatingChatClient(inner)
{
    public UsageMeter Meter => meter;

    public override async Task<ChatResponse> GetResponseAsync(IEnumerable<ChatMessage> messages, ChatOptions? options = null,
        CancellationToken cancellationToken = default)
    {
        ChatResponse response;
        try
        {
            response = await base.GetResponseAsync(messages, options, cancellationToken).ConfigureAwait(false);
        }
        catch (LlmCallException)
        {
            meter.Failure();
            throw;
        }
        meter.Call(response.Usage?.InputTokenCount ?? 0, response.Usage?.CachedInputTokenCount ?? 0, response.Usage?.OutputTokenCount ?? 0);
        return response;
    }

    public override object? GetService(Type serviceType, object? serviceKey = null) =>
        serviceKey is null && serviceType == typeof(UsageMeter) ? meter : base.GetService(serviceType, serviceKey);
}
