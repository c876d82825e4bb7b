using System.Text.RegularExpressions;

namespace Tailmark.Sim;

/// <summary>
/// Finds the delimited sections Tailmark's prompts use (<c>&lt;tag attr="v"&gt;...&lt;/tag&gt;</c>) in a request's
/// text. This is the contract the simulated judge, proposer and oracle rely on (docs/sim.md).
/// </summary>
public static partial class SimSections
{
    public sealed record Section(string Tag, IReadOnlyDictionary<string, string> Attributes, string Body);

    [GeneratedRegex(@"<(?<tag>[a-z_]+)(?<attrs>(?:\s+[a-z_]+=""[^""]*"")*)\s*>(?<body>.*?)</\k<tag>>", RegexOptions.Singleline)]
    private static partial Regex SectionPattern();

    [GeneratedRegex(@"(?<name>[a-z_]+)=""(?<value>[^""]*)""")]
    private static partial Regex AttributePattern();

    public static List<Section> All(string text) =>
        [.. SectionPattern().Matches(text).Select(m => new Section(
            m.Groups["tag"].Value,
            AttributePattern().Matches(m.Groups["attrs"].Value).ToDictionary(a => a.Groups["name"].Value, a => a.Groups["value"].Value),
            m.Groups["body"].Value.Trim()))];

    public static string? First(List<Section> sections, string tag) => sections.FirstOrDefault(s => s.Tag == tag)?.Body;
}
