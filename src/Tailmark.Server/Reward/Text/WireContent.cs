using System.Text;
using System.Text.Json;
using Tailmark.Rubrics;

namespace Tailmark.Server.Reward.Text;

/// <summary>
/// Reads prompts and responses as trainers send them. A message's content may be a string, null (an assistant turn
/// that only calls tools) or a list of content parts: text parts are joined with a newline, other parts (images,
/// audio) are left out and noted. A response may be a string, null (the empty response), a list of parts, one message,
/// or a list of messages (a tool-using conversation): then the text of its assistant messages is graded, joined by a
/// blank line; tool calls, tool results and reasoning fields are not graded (noted). A prompt may be a string — a
/// chat-templated string is taken apart into its turns (<see cref="ChatTemplates"/>) — or a list of messages.
/// A value of the wrong shape is a problem naming its field; the caller answers that item as ungraded.
/// </summary>
public static class WireContent
{
    public static string? Response(JsonElement? value, string field, List<string> notes, out string? problem)
    {
        problem = null;
        if (value is not { } v || v.ValueKind == JsonValueKind.Null)
        {
            notes.Add("no response given: graded as the empty response");
            return "";
        }
        switch (v.ValueKind)
        {
            case JsonValueKind.String:
                return v.GetString()!;
            case JsonValueKind.Object:
                return Messages([v], field, notes, out problem) is { } one ? AssistantText(one, notes) : null;
            case JsonValueKind.Array when v.GetArrayLength() > 0
                && v.EnumerateArray().All(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("role", out _)):
                return Messages([.. v.EnumerateArray()], field, notes, out problem) is { } many ? AssistantText(many, notes) : null;
            case JsonValueKind.Array:
                return Parts(v, field, notes, out problem);
            default:
                problem = $"{field}: expected a string, a list of content parts or messages, or null; found {Describe(v)}";
                return null;
        }
    }

    /// <summary>A prompt as text (a templated string recovered into turns) or messages; null when absent.</summary>
    public static PromptContent? Prompt(JsonElement? value, string field, List<string> notes, out string? problem)
    {
        problem = null;
        if (value is not { } v || v.ValueKind == JsonValueKind.Null) return null;
        if (v.ValueKind == JsonValueKind.String) return PromptText(v.GetString()!, notes);
        if (v.ValueKind != JsonValueKind.Array)
        {
            problem = $"{field}: expected a string or a list of messages, found {Describe(v)}";
            return null;
        }
        var messages = Messages([.. v.EnumerateArray()], field, notes, out problem);
        return messages is null ? null : PromptContent.FromMessages(messages.Select(m => new PromptMessage(m.Role, m.Text)));
    }

    /// <summary>A prompt given as text: its turns when it is chat-templated, else the text itself.</summary>
    public static PromptContent PromptText(string text, List<string> notes)
    {
        if (ChatTemplates.Parse(text) is { Turns.Length: > 0 } templated)
        {
            notes.Add($"prompt recovered from the {templated.Family} chat template");
            return templated.Prompt;
        }
        return PromptContent.FromText(text);
    }

    public static string Describe(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => "a string",
        JsonValueKind.Number => "a number",
        JsonValueKind.True or JsonValueKind.False => "a boolean",
        _ => "null",
    };

    private sealed record WireMessage(string Role, string Text, bool HasToolCalls);

    private static List<WireMessage>? Messages(IReadOnlyList<JsonElement> items, string field, List<string> notes, out string? problem)
    {
        problem = null;
        var messages = new List<WireMessage>();
        for (var i = 0; i < items.Count; i++)
        {
            var at = items.Count == 1 && field.EndsWith("response", StringComparison.Ordinal) ? field : $"{field}[{i}]";
            var m = items[i];
            if (m.ValueKind != JsonValueKind.Object)
            {
                problem = $"{at}: expected a message object, found {Describe(m)}";
                return null;
            }
            if (!m.TryGetProperty("role", out var role) || role.ValueKind != JsonValueKind.String)
            {
                problem = $"{at}.role: expected a string";
                return null;
            }
            var text = "";
            if (m.TryGetProperty("content", out var content) && content.ValueKind != JsonValueKind.Null)
            {
                if (content.ValueKind == JsonValueKind.String) text = content.GetString()!;
                else if (content.ValueKind == JsonValueKind.Array) text = Parts(content, $"{at}.content", notes, out problem)!;
                else problem = $"{at}.content: expected a string, a list of content parts or null, found {Describe(content)}";
                if (problem is not null) return null;
            }
            var toolCalls = m.TryGetProperty("tool_calls", out var calls) && calls.ValueKind == JsonValueKind.Array && calls.GetArrayLength() > 0;
            if (m.TryGetProperty("reasoning_content", out var reasoning) && reasoning.ValueKind == JsonValueKind.String) Note(notes,
                "reasoning_content not graded");
            messages.Add(new WireMessage(role.GetString()!.Trim().ToLowerInvariant(), text, toolCalls));
        }
        return messages;
    }

    private static string AssistantText(List<WireMessage> messages, List<string> notes)
    {
        if (messages.Any(m => m.HasToolCalls)) Note(notes, "tool calls not graded");
        if (messages.Any(m => m.Role == "tool")) Note(notes, "tool results not graded");
        var assistant = messages.Where(m => m.Role == "assistant" && m.Text.Length > 0).Select(m => m.Text).ToList();
        // A single message of another role (a bare {"content": …} from a client that labels it differently) is still the response.
        if (assistant.Count == 0 && messages.Count == 1 && messages[0].Role != "tool") return messages[0].Text;
        return string.Join("\n\n", assistant);
    }

    private static string? Parts(JsonElement parts, string field, List<string> notes, out string? problem)
    {
        problem = null;
        var sb = new StringBuilder();
        var i = 0;
        foreach (var part in parts.EnumerateArray())
        {
            var at = $"{field}[{i++}]";
            if (part.ValueKind == JsonValueKind.String)
            {
                Append(sb, part.GetString()!);
                continue;
            }
            if (part.ValueKind != JsonValueKind.Object)
            {
                problem = $"{at}: expected a content part object, found {Describe(part)}";
                return null;
            }
            var type = part.TryGetProperty("type", out var t) && t.ValueKind == JsonValueKind.String ? t.GetString()! : "text";
            if (type is "text" or "input_text" or "output_text" && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
            {
                Append(sb, text.GetString()!);
            }
            else
            {
                Note(notes, $"{type} parts not graded");
            }
        }
        return sb.ToString();
    }

    private static void Append(StringBuilder sb, string text)
    {
        if (sb.Length > 0) sb.Append('\n');
        sb.Append(text);
    }

    private static void Note(List<string> notes, string note)
    {
        if (!notes.Contains(note)) notes.Add(note);
    }
}
