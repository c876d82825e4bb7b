using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;

namespace Tailmark.Io;

/// <summary>
/// Reads the fields of one JSON object by name, reporting every wrong type or missing field to an
/// <see cref="IssueLog"/> with its full field path, and remembering which fields were read so that the rest
/// can be kept as pass-through extras (and warned about).
/// </summary>
public sealed class JsonFieldReader
{
    private readonly JsonElement _obj;
    private readonly HashSet<string> _known = new(StringComparer.Ordinal);

    public JsonFieldReader(JsonElement obj, string path, IssueLog log)
    {
        _obj = obj;
        Path = path;
        Log = log;
    }

    public string Path { get; }
    public IssueLog Log { get; }

    public string FieldPath(string name) => Path.Length == 0 ? name : $"{Path}.{name}";

    public bool Has(string name) => _obj.TryGetProperty(name, out var v) && v.ValueKind != JsonValueKind.Null;

    public JsonElement? Raw(string name)
    {
        _known.Add(name);
        return _obj.TryGetProperty(name, out var v) ? v : null;
    }

    public string? String(string name, bool required = false)
    {
        var v = Raw(name);
        if (v is null || v.Value.ValueKind == JsonValueKind.Null)
        {
            if (required) Log.Error(FieldPath(name), "required field is missing");
            return null;
        }
        if (v.Value.ValueKind == JsonValueKind.String) return v.Value.GetString();
        // Ids are often numbers in the wild (IFEval keys); accept them as their text.
        if (v.Value.ValueKind == JsonValueKind.Number) return v.Value.GetRawText();
        Log.Error(FieldPath(name), $"expected a string, found {Describe(v.Value)}");
        return null;
    }

    /// <summary>
    /// Reads a finite number. With <paramref name="allowNonFinite"/>, NaN and infinities are returned — the strings
    /// "NaN", "Infinity" and "-Infinity", and numbers too large for a double such as 1e400 — so that a validator can name
    /// them (rubric weights); otherwise they are errors here. Anything else that is not a number is an error.
    /// </summary>
    public double? Number(string name, bool required = false, bool allowNonFinite = false)
    {
        var v = Raw(name);
        if (v is null || v.Value.ValueKind == JsonValueKind.Null)
        {
            if (required) Log.Error(FieldPath(name), "required field is missing");
            return null;
        }
        double? value = null;
        if (v.Value.ValueKind == JsonValueKind.Number)
        {
            value = double.Parse(v.Value.GetRawText(), NumberStyles.Float, CultureInfo.InvariantCulture);
        }
        else if (v.Value.ValueKind == JsonValueKind.String &&
            double.TryParse(v.Value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) &&
            !double.IsFinite(parsed))
        {
            value = parsed;
        }
        if (value is { } d && (double.IsFinite(d) || allowNonFinite)) return d;
        Log.Error(FieldPath(name), value is null ? $"expected a number, found {Describe(v.Value)}" : $"expected a finite number, found {Describe(v.Value)}");
        return null;
    }

    public int? Integer(string name)
    {
        var v = Raw(name);
        if (v is null || v.Value.ValueKind == JsonValueKind.Null) return null;
        if (v.Value.ValueKind == JsonValueKind.Number && v.Value.TryGetInt32(out var i)) return i;
        Log.Error(FieldPath(name), $"expected an integer, found {Describe(v.Value)}");
        return null;
    }

    public bool? Bool(string name)
    {
        var v = Raw(name);
        if (v is null || v.Value.ValueKind == JsonValueKind.Null) return null;
        if (v.Value.ValueKind is JsonValueKind.True or JsonValueKind.False) return v.Value.GetBoolean();
        Log.Error(FieldPath(name), $"expected true or false, found {Describe(v.Value)}");
        return null;
    }

    public ImmutableArray<string> Strings(string name)
    {
        var v = Raw(name);
        if (v is null || v.Value.ValueKind == JsonValueKind.Null) return [];
        if (v.Value.ValueKind != JsonValueKind.Array)
        {
            Log.Error(FieldPath(name), $"expected a list of strings, found {Describe(v.Value)}");
            return [];
        }
        var list = ImmutableArray.CreateBuilder<string>();
        var i = 0;
        foreach (var item in v.Value.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String) list.Add(item.GetString()!);
            else Log.Error($"{FieldPath(name)}[{i}]", $"expected a string, found {Describe(item)}");
            i++;
        }
        return list.ToImmutable();
    }

    public JsonElement? Array(string name, bool required = false)
    {
        var v = Raw(name);
        if (v is null || v.Value.ValueKind == JsonValueKind.Null)
        {
            if (required) Log.Error(FieldPath(name), "required field is missing");
            return null;
        }
        if (v.Value.ValueKind == JsonValueKind.Array) return v;
        Log.Error(FieldPath(name), $"expected a list, found {Describe(v.Value)}");
        return null;
    }

    public JsonElement? Object(string name)
    {
        var v = Raw(name);
        if (v is null || v.Value.ValueKind == JsonValueKind.Null) return null;
        if (v.Value.ValueKind == JsonValueKind.Object) return v;
        Log.Error(FieldPath(name), $"expected an object, found {Describe(v.Value)}");
        return null;
    }

    /// <summary>Every field not read so far, as pass-through extras; each is warned about unless <paramref name="quiet"/>.</summary>
    public ImmutableSortedDictionary<string, JsonElement> Rest(bool quiet = false)
    {
        var rest = ImmutableSortedDictionary.CreateBuilder<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in _obj.EnumerateObject())
        {
            if (_known.Contains(p.Name)) continue;
            if (!quiet) Log.Warn(FieldPath(p.Name), "unknown field (kept and passed through)");
            rest[p.Name] = p.Value.Clone();
        }
        return rest.ToImmutable();
    }

    public static ImmutableSortedDictionary<string, JsonElement> ToMap(JsonElement obj)
    {
        var map = ImmutableSortedDictionary.CreateBuilder<string, JsonElement>(StringComparer.Ordinal);
        foreach (var p in obj.EnumerateObject()) map[p.Name] = p.Value.Clone();
        return map.ToImmutable();
    }

    public static string Describe(JsonElement v) => v.ValueKind switch
    {
        JsonValueKind.Object => "an object",
        JsonValueKind.Array => "a list",
        JsonValueKind.String => $"the string \"{Truncate(v.GetString()!)}\"",
        JsonValueKind.Number => $"the number {v.GetRawText()}",
        JsonValueKind.True or JsonValueKind.False => v.GetRawText(),
        _ => "null",
    };

    private static string Truncate(string s) => s.Length <= 40 ? s : s[..37] + "...";
}
