using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Tailmark.Server.Reward.Wire;

namespace Tailmark.Server.Reward;

/// <summary>Deserializes a typed wire record from one JSON element, turning a wrong type into a message that names the field.</summary>
public static class WireFields
{
    /// <summary>The record, or null with <paramref name="problem"/> set ("items[3].step: expected an integer, found a string").</summary>
    public static T? Read<T>(JsonElement element, JsonTypeInfo<T> type, string path, out string? problem) where T : class
    {
        problem = null;
        try
        {
            return element.Deserialize(type);
        }
        catch (JsonException ex)
        {
            var name = ex.Path is { Length: > 2 } p && p.StartsWith("$.", StringComparison.Ordinal) ? p[2..].Split('.', '[')[0] : null;
            var field = name is null ? path : path.Length == 0 ? name : $"{path}.{name}";
            var found = name is not null && element.ValueKind == JsonValueKind.Object
                && element.TryGetProperty(name, out var v) ? $", found {Text.WireContent.Describe(v)}" : "";
            problem = $"{field}: {Expected(type, name)}{found}";
            return null;
        }
        catch (InvalidOperationException ex)
        {
            problem = $"{path}: {ex.Message}";
            return null;
        }
    }

    /// <summary>The same, for a request's envelope: a wrong type is a 400 naming the field.</summary>
    public static T Envelope<T>(JsonElement body, JsonTypeInfo<T> type, string shape) where T : class
    {
        if (body.ValueKind != JsonValueKind.Object) throw new HttpProblem(400, $"expected a JSON object {shape}, found {Text.WireContent.Describe(body)}",
            "body");
        var wire = Read(body, type, "", out var problem);
        if (wire is null)
        {
            var field = problem!.Split(':')[0];
            throw new HttpProblem(400, problem, field.Length == 0 ? "body" : field);
        }
        return wire;
    }

    private static string Expected<T>(JsonTypeInfo<T> type, string? name)
    {
        var property = type.Properties.FirstOrDefault(p => p.Name == name);
        var t = property?.PropertyType;
        t = t is null ? null : Nullable.GetUnderlyingType(t) ?? t;
        return t == typeof(long) || t == typeof(int) ? "expected an integer"
            : t == typeof(double) ? "expected a finite number"
            : t == typeof(string) ? "expected a string or a number"
            : t == typeof(IReadOnlyList<string>) ? "expected a list of strings"
            : "wrong type";
    }
}
