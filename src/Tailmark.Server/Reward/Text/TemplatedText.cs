using System.Collections.Immutable;
using Tailmark.Rubrics;

namespace Tailmark.Server.Reward.Text;

/// <summary>
/// A chat-templated string taken apart: the template family, its turns before the final assistant turn, and the index
/// where that final assistant turn's text begins (null when the last turn is not the assistant's).
/// </summary>
public sealed record TemplatedText(string Family, ImmutableArray<PromptMessage> Turns, int? FinalAssistantAt)
{
    public PromptContent Prompt => PromptContent.FromMessages(Turns);
}
