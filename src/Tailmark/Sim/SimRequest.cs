namespace Tailmark.Sim;

/// <summary>What the simulated models need from a chat-completions request.</summary>
public sealed record SimRequest(
    string Model,
    IReadOnlyList<(string Role, string Content)> Messages,
    int N = 1,
    long? Seed = null,
    int? MaxTokens = null,
    bool JsonMode = false,
    bool Logprobs = false,
    int TopLogprobs = 0)
{
    /// <summary>All message contents, in order, joined by blank lines.</summary>
    public string Text => string.Join("\n\n", Messages.Select(m => m.Content));

    public string LastUser => Messages.LastOrDefault(m => m.Role == "user").Content ?? Messages.LastOrDefault().Content ?? "";
}
