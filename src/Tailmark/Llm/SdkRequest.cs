using Microsoft.Extensions.AI;
using OpenAI.Chat;

namespace Tailmark.Llm;

/// <summary>
/// Sets what the OpenAI adapter cannot map from <see cref="ChatOptions"/> on the SDK's request itself, through
/// <see cref="ChatOptions.RawRepresentationFactory"/>: the adapter starts from the options that factory makes and fills
/// in only what is still unset.
/// </summary>
internal static class SdkRequest
{
    /// <summary>A copy of OPTIONS whose SDK request also gets CONFIGURE, after whatever earlier stages set on it.</summary>
    public static ChatOptions With(ChatOptions? options, Action<ChatCompletionOptions> configure)
    {
        var copy = options?.Clone() ?? new ChatOptions();
        var earlier = copy.RawRepresentationFactory;
        copy.RawRepresentationFactory = client =>
        {
            var request = earlier?.Invoke(client) as ChatCompletionOptions ?? new ChatCompletionOptions();
            configure(request);
            return request;
        };
        return copy;
    }
}
