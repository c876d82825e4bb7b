using System.ClientModel.Primitives;
using System.Runtime.CompilerServices;

namespace Tailmark.Llm;

/// <summary>
/// Tells <see cref="OpenAiExtrasChatClient"/> whether an answer's raw bytes mention a reasoning field at all, so that
/// most answers — which have none — are spared a lookup through the SDK's JSON patch (a few microseconds per answer). A
/// policy in the SDK's own pipeline, which sees the response body; the stage hands it a box per call through an
/// <see cref="AsyncLocal{T}"/>, which flows from the stage into the SDK's call.
/// </summary>
internal sealed class ReasoningFieldProbe : PipelinePolicy
{
    public static readonly ReasoningFieldProbe Instance = new();

    private static readonly AsyncLocal<StrongBox<bool?>?> Current = new();

    /// <summary>A box for the coming call: null until the SDK's pipeline has seen the answer, then whether it mentions one.</summary>
    public static StrongBox<bool?> Watch()
    {
        var box = new StrongBox<bool?>();
        Current.Value = box;
        return box;
    }

    public override void Process(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        ProcessNext(message, pipeline, currentIndex);
        Note(message);
    }

    public override async ValueTask ProcessAsync(PipelineMessage message, IReadOnlyList<PipelinePolicy> pipeline, int currentIndex)
    {
        await ProcessNextAsync(message, pipeline, currentIndex).ConfigureAwait(false);
        Note(message);
    }

    private static void Note(PipelineMessage message)
    {
        if (Current.Value is not { } box || message.Response is not { IsError: false } response) return;
        try
        {
            // Buffered by the time the transport has returned: the SDK buffers non-streaming answers.
            box.Value = response.Content.ToMemory().Span.IndexOf("\"reasoning"u8) >= 0;
        }
        catch (InvalidOperationException)
        {
            // Not buffered after all: the box stays unknown, and the stage looks.
        }
    }
}
