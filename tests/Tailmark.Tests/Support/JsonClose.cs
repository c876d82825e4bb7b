using System.Text.Json;

namespace Tailmark.Tests.Support;

/// <summary>Two JSON documents equal up to a relative tolerance on numbers (sums added in another order differ in the last bits).</summary>
public static class JsonClose
{
    public static void Equal(JsonElement expected, JsonElement actual, double tolerance = 1e-9, string path = "$")
    {
        Assert.True(expected.ValueKind == actual.ValueKind, $"{path}: {expected.ValueKind} expected, {actual.ValueKind} found");
        switch (expected.ValueKind)
        {
            case JsonValueKind.Object:
                var names = expected.EnumerateObject().Select(p => p.Name).ToList();
                Assert.True(names.SequenceEqual(actual.EnumerateObject().Select(p => p.Name)),
                    $"{path}: fields {string.Join(",", names)} expected, {string.Join(",", actual.EnumerateObject().Select(p => p.Name))} found");
                foreach (var name in names) Equal(expected.GetProperty(name), actual.GetProperty(name), tolerance, $"{path}.{name}");
                break;
            case JsonValueKind.Array:
                Assert.True(expected.GetArrayLength() == actual.GetArrayLength(),
                    $"{path}: {expected.GetArrayLength()} items expected, {actual.GetArrayLength()} found");
                for (var i = 0; i < expected.GetArrayLength(); i++) Equal(expected[i], actual[i], tolerance, $"{path}[{i}]");
                break;
            case JsonValueKind.Number:
                var (e, a) = (expected.GetDouble(), actual.GetDouble());
                Assert.True(Math.Abs(e - a) <= tolerance * Math.Max(1, Math.Abs(e)), $"{path}: {e} expected, {a} found");
                break;
            default:
                Assert.True(expected.GetRawText() == actual.GetRawText(), $"{path}: {expected.GetRawText()} expected, {actual.GetRawText()} found");
                break;
        }
    }
}
