using System.Text.RegularExpressions;
using Tailmark.Checks.Text;

namespace Tailmark.Checks.IfEval;

internal sealed partial class PlaceholderCount(int placeholders) : ICheck
{
    [GeneratedRegex(@"\[.*?\]")]
    private static partial Regex Placeholder();

    public string Type => "detectable_content:number_placeholders";
    public bool IsFollowed(string response) => Placeholder().Count(response) >= placeholders;
}

/// <summary>A line (after optional white space) that starts with the postscript marker, case-insensitively.</summary>
internal sealed class Postscript(Regex pattern) : ICheck
{
    public string Type => "detectable_content:postscript";
    public bool IsFollowed(string response) => pattern.IsMatch(PyText.Lower(response));

    public static string PatternFor(string marker) => marker switch
    {
        "P.P.S" => PyText.SpaceClass + @"*p\." + PyText.SpaceClass + @"?p\." + PyText.SpaceClass + "?s.*$",
        "P.S." => PyText.SpaceClass + @"*p\." + PyText.SpaceClass + @"?s\..*$",
        _ => PyText.SpaceClass + "*" + PyText.Lower(marker) + ".*$",
    };
}
