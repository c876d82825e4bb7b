using System.Collections.Immutable;
using System.Text.RegularExpressions;

namespace Tailmark.Server.Reward.Text;

/// <summary>
/// One family of chat templates, described by what marks the start of a turn (a pattern with a <c>role</c> group,
/// or a fixed role), what ends a turn, and what may stand before the first turn (a begin-of-sequence token).
/// </summary>
public sealed record ChatTemplateFamily(string Name, Regex Header, ImmutableArray<string> TurnEnds, ImmutableArray<string> Leading)
{
    /// <summary>The role a header names, in the OpenAI vocabulary (Gemma's "model", DeepSeek's "Assistant" → assistant;
    /// Mistral's [INST] → user, [/INST] → assistant, [SYSTEM_PROMPT] → system).</summary>
    public static string Role(Match header) => header.Value switch
    {
        var v when v.StartsWith("[INST]", StringComparison.Ordinal) => "user",
        var v when v.StartsWith("[/INST]", StringComparison.Ordinal) => "assistant",
        var v when v.StartsWith("[SYSTEM_PROMPT]", StringComparison.Ordinal) => "system",
        _ => header.Groups["role"].Value.ToLowerInvariant() is "model" or "bot" ? "assistant" : header.Groups["role"].Value.ToLowerInvariant(),
    };
}
