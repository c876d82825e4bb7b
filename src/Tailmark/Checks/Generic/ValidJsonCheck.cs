using System.Text.Json;
using Tailmark.Checks.Text;

namespace Tailmark.Checks.Generic;

/// <summary>
/// <c>valid_json</c>: the response (optionally inside a ``` fence) is one JSON value; with
/// <c>required_keys</c>, an object holding every one of those keys.
/// </summary>
internal sealed class ValidJsonCheck(IReadOnlyList<string> requiredKeys) : ICheck
{
    public string Type => "valid_json";

    public bool IsFollowed(string response)
    {
        var v = PyText.Strip(response);
        if (v.StartsWith("```", StringComparison.Ordinal))
        {
            var newline = v.IndexOf('\n', StringComparison.Ordinal);
            v = newline < 0 ? "" : v[(newline + 1)..];
            v = PyText.Strip(PyText.RemoveSuffix(PyText.Strip(v), "```"));
        }
        try
        {
            using var doc = JsonDocument.Parse(v);
            if (requiredKeys.Count == 0) return true;
            return doc.RootElement.ValueKind == JsonValueKind.Object && requiredKeys.All(k => doc.RootElement.TryGetProperty(k, out _));
        }
        catch (JsonException)
        {
            return false;
        }
    }
}
