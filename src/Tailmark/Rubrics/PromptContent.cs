using System.Collections.Immutable;

namespace Tailmark.Rubrics;

/// <summary>
/// A prompt as given: either plain text or a list of chat messages. Plain text is kept as text so that
/// formats that store a string get a string back.
/// </summary>
public sealed record PromptContent
{
    private PromptContent(string? text, ImmutableArray<PromptMessage> messages)
    {
        Text = text;
        Messages = messages;
    }

    /// <summary>The text when the prompt was given as a string; otherwise null.</summary>
    public string? Text { get; }

    /// <summary>The messages when the prompt was given as a conversation; otherwise empty.</summary>
    public ImmutableArray<PromptMessage> Messages { get; }

    public bool IsText => Text is not null;

    public static PromptContent FromText(string text) => new(text, []);

    public static PromptContent FromMessages(IEnumerable<PromptMessage> messages) => new(null, [.. messages]);

    /// <summary>The conversation as messages: a text prompt is one user message.</summary>
    public IReadOnlyList<PromptMessage> AsMessages() => Text is not null ? [new PromptMessage("user", Text)] : Messages;

    /// <summary>The last user turn (or the text), which is what most graders call "the prompt".</summary>
    public string LastUserText() =>
        Text ?? Messages.LastOrDefault(m => m.Role == "user")?.Content ?? Messages.LastOrDefault()?.Content ?? "";

    public bool Equals(PromptContent? other) =>
        other is not null && Text == other.Text && Messages.SequenceEqual(other.Messages);

    public override int GetHashCode() => Text?.GetHashCode(StringComparison.Ordinal) ?? Messages.Length;
}
