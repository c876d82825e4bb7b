using System.Text.RegularExpressions;
using Tailmark.Checks.Text;

namespace Tailmark.Checks.IfEval;

/// <summary>Exactly n markdown bullets: lines starting with "*" (not "**") or "-".</summary>
internal sealed partial class BulletListCount(int bullets) : ICheck
{
    [GeneratedRegex("^" + PyText.SpaceClass + @"*\*[^\*].*$", RegexOptions.Multiline)]
    private static partial Regex Star();

    [GeneratedRegex("^" + PyText.SpaceClass + "*-.*$", RegexOptions.Multiline)]
    private static partial Regex Dash();

    public string Type => "detectable_format:number_bullet_lists";
    public bool IsFollowed(string response) => Star().Count(response) + Dash().Count(response) == bullets;
}

internal sealed class ConstrainedResponse : ICheck
{
    private static readonly string[] Options = ["My answer is yes.", "My answer is no.", "My answer is maybe."];

    public string Type => "detectable_format:constrained_response";

    public bool IsFollowed(string response)
    {
        var value = PyText.Strip(response);
        return Options.Any(o => value.Contains(o, StringComparison.Ordinal));
    }
}

/// <summary>At least n non-empty *highlighted* or **highlighted** spans (each form counted).</summary>
internal sealed partial class HighlightedSections(int highlights) : ICheck
{
    [GeneratedRegex(@"\*[^\n\*]*\*")]
    private static partial Regex Single();

    [GeneratedRegex(@"\*\*[^\n\*]*\*\*")]
    private static partial Regex Double();

    public string Type => "detectable_format:number_highlighted_sections";

    public bool IsFollowed(string response)
    {
        var count = Single().Matches(response).Count(m => PyText.Strip(PyText.Strip(m.Value, "*")).Length > 0);
        count += Double().Matches(response).Count(m => PyText.Strip(m.Value[2..^2]).Length > 0);
        return count >= highlights;
    }
}

/// <summary>At least n sections, each opened by the splitter word and a number.</summary>
internal sealed class MultipleSections(Regex splitter, int sections) : ICheck
{
    public string Type => "detectable_format:multiple_sections";
    // re.split yields one more piece than there are matches, so "pieces - 1" is the number of matches.
    public bool IsFollowed(string response) => splitter.Count(response) >= sections;

    public static string PatternFor(string splitter) =>
        PyText.SpaceClass + "?" + splitter + PyText.SpaceClass + @"?\d+" + PyText.SpaceClass + "?";
}

/// <summary>The whole response (optionally in a ``` fence) is JSON that Python's json.loads accepts.</summary>
internal sealed class JsonFormat : ICheck
{
    public string Type => "detectable_format:json_format";

    public bool IsFollowed(string response)
    {
        var v = PyText.Strip(response);
        foreach (var fence in new[] { "```json", "```Json", "```JSON", "```" }) v = PyText.RemovePrefix(v, fence);
        v = PyText.Strip(PyText.RemoveSuffix(v, "```"));
        return PyJson.IsValid(v);
    }
}

/// <summary>A non-empty title in double angular brackets on one line.</summary>
internal sealed partial class Title : ICheck
{
    [GeneratedRegex(@"<<[^\n]+>>")]
    private static partial Regex Pattern();

    public string Type => "detectable_format:title";

    public bool IsFollowed(string response) =>
        Pattern().Matches(response).Any(m => PyText.Strip(PyText.RStrip(PyText.LStrip(m.Value, "<"), ">")).Length > 0);
}
