using Tailmark.Checks.Text;

namespace Tailmark.Checks.IfEval;

/// <summary>Exactly two different non-empty responses separated by "******" (empty parts only at the ends).</summary>
internal sealed class TwoResponses : ICheck
{
    public string Type => "combination:two_responses";

    public bool IsFollowed(string response)
    {
        var parts = response.Split("******");
        var valid = new List<string>();
        for (var i = 0; i < parts.Length; i++)
        {
            if (PyText.Strip(parts[i]).Length > 0) valid.Add(parts[i]);
            else if (i != 0 && i != parts.Length - 1) return false;
        }
        return valid.Count == 2 && PyText.Strip(valid[0]) != PyText.Strip(valid[1]);
    }
}

/// <summary>The response begins with the request, repeated word for word (case-insensitively).</summary>
internal sealed class RepeatPrompt(string prompt) : ICheck
{
    public string Type => "combination:repeat_prompt";

    public bool IsFollowed(string response) =>
        PyText.StartsWith(PyText.Lower(PyText.Strip(response)), PyText.Lower(PyText.Strip(prompt)));
}

/// <summary>The response ends with the phrase (surrounding quotes and case aside).</summary>
internal sealed class EndChecker(string phrase) : ICheck
{
    public string Type => "startend:end_checker";

    public bool IsFollowed(string response) =>
        PyText.EndsWith(PyText.Lower(PyText.Strip(PyText.Strip(response), "\"")), PyText.Lower(PyText.Strip(phrase)));
}

/// <summary>The response is wrapped in double quotation marks.</summary>
internal sealed class Quotation : ICheck
{
    public string Type => "startend:quotation";

    public bool IsFollowed(string response)
    {
        var v = PyText.Strip(response);
        return v.Length > 1 && v[0] == '"' && v[^1] == '"';
    }
}

internal sealed class NoComma : ICheck
{
    public string Type => "punctuation:no_comma";
    public bool IsFollowed(string response) => !response.Contains(',', StringComparison.Ordinal);
}
