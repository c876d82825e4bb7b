namespace Tailmark.Sim;

/// <summary>
/// What the simulated models need from a chat-completions request. RESPONSEFORMAT is the <c>response_format</c> type
/// asked for (<c>text</c> when none: <c>json_object</c>, <c>json_schema</c>); REASONINGEFFORT the <c>reasoning_effort</c>.
/// </summary>
public sealed record SimRequest(
    string Model,
    IReadOnlyList<(string Role, string Content)> Messages,
    int N = 1,
    long? Seed = null,
    int? MaxTokens = null,
    string ResponseFormat = "text",
    bool Logprobs = false,
    int TopLogprobs = 0,
    string? ReasoningEffort = null)
{
    /// <summary>All message contents, in order, joined by blank lines.</summary>
    public string Text => string.Join("\n\n", Messages.Select(m => m.Content));

    /// <summary>The question: the messages up to the first user message, without the turns a repair adds after it.</summary>
    public string Question => string.Join("\n\n", Messages.Take(Messages.TakeWhile(m => m.Role != "user").Count() + 1).Select(m => m.Content));

    public string LastUser => Messages.LastOrDefault(m => m.Role == "user").Content ?? (Messages.Count > 0 ? Messages[^1].Content : null) ?? "";

    /// <summary>Whether JSON was asked for (json_object or json_schema).</summary>
    public bool JsonMode => ResponseFormat is "json_object" or "json_schema";
}
