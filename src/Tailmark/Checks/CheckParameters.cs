using System.Text.Json;
using System.Text.RegularExpressions;
using Tailmark.Io;

namespace Tailmark.Checks;

/// <summary>
/// Reads a check's parameters (IFEval's kwargs) by name and type. A null value means "not set". Every missing,
/// mistyped or unknown parameter is reported to the log with its field path; <see cref="CheckFactory"/> builds
/// the check only when none was.
/// </summary>
public sealed class CheckParameters
{
    private readonly IReadOnlyDictionary<string, JsonElement> _values;
    private readonly HashSet<string> _read = new(StringComparer.Ordinal);

    public CheckParameters(IReadOnlyDictionary<string, JsonElement> values, IssueLog log, string path)
    {
        _values = values;
        Log = log;
        Path = path;
    }

    public IssueLog Log { get; }
    public string Path { get; }

    private string FieldPath(string name) => Path.Length == 0 ? name : $"{Path}.{name}";

    private JsonElement? Get(string name, bool required)
    {
        _read.Add(name);
        if (_values.TryGetValue(name, out var v) && v.ValueKind != JsonValueKind.Null) return v;
        if (required) Log.Error(FieldPath(name), "missing parameter");
        return null;
    }

    public int Int(string name, int min = int.MinValue)
    {
        var v = Get(name, true);
        if (v is null) return 0;
        if (v.Value.ValueKind == JsonValueKind.Number && v.Value.TryGetInt32(out var i))
        {
            if (i < min) Log.Error(FieldPath(name), $"must be at least {min}, found {i}");
            return i;
        }
        Log.Error(FieldPath(name), $"expected an integer, found {JsonFieldReader.Describe(v.Value)}");
        return 0;
    }

    public int? OptionalInt(string name) => Has(name) ? Int(name) : Ignore(name);

    public string String(string name, bool nonEmpty = true)
    {
        var v = Get(name, true);
        if (v is null) return "";
        if (v.Value.ValueKind != JsonValueKind.String)
        {
            Log.Error(FieldPath(name), $"expected a string, found {JsonFieldReader.Describe(v.Value)}");
            return "";
        }
        var s = v.Value.GetString()!;
        if (nonEmpty && s.Length == 0) Log.Error(FieldPath(name), "must not be empty");
        return s;
    }

    public IReadOnlyList<string> Strings(string name)
    {
        var v = Get(name, true);
        if (v is null) return [];
        if (v.Value.ValueKind != JsonValueKind.Array)
        {
            Log.Error(FieldPath(name), $"expected a list of strings, found {JsonFieldReader.Describe(v.Value)}");
            return [];
        }
        var list = new List<string>();
        var i = 0;
        foreach (var item in v.Value.EnumerateArray())
        {
            if (item.ValueKind == JsonValueKind.String && item.GetString()!.Length > 0) list.Add(item.GetString()!);
            else Log.Error($"{FieldPath(name)}[{i}]", $"expected a non-empty string, found {JsonFieldReader.Describe(item)}");
            i++;
        }
        if (list.Count == 0 && i == 0) Log.Error(FieldPath(name), "must name at least one string");
        return list;
    }

    public Relation Relation(string name)
    {
        var s = String(name);
        switch (s)
        {
            case "less than": return Checks.Relation.LessThan;
            case "at least": return Checks.Relation.AtLeast;
            case "": return Checks.Relation.AtLeast;
            default:
                Log.Error(FieldPath(name), $"expected \"less than\" or \"at least\", found \"{s}\"");
                return Checks.Relation.AtLeast;
        }
    }

    public bool? OptionalBool(string name)
    {
        var v = Get(name, false);
        if (v is null) return null;
        if (v.Value.ValueKind is JsonValueKind.True or JsonValueKind.False) return v.Value.GetBoolean();
        Log.Error(FieldPath(name), $"expected true or false, found {JsonFieldReader.Describe(v.Value)}");
        return null;
    }

    public string? OptionalString(string name) => Has(name) ? String(name, nonEmpty: false) : IgnoreString(name);

    /// <summary>Compiles a regular expression parameter, reporting a syntax error at its field.</summary>
    public Regex? Pattern(string name, string pattern, RegexOptions options)
    {
        try
        {
            return new Regex(pattern, options, TimeSpan.FromSeconds(2));
        }
        catch (ArgumentException ex)
        {
            Log.Error(FieldPath(name), $"not a valid regular expression: {ex.Message}");
            return null;
        }
    }

    public bool Has(string name) => _values.TryGetValue(name, out var v) && v.ValueKind != JsonValueKind.Null;

    /// <summary>Reports every parameter that was given (non-null) but not read by the check.</summary>
    public void RejectUnknown()
    {
        foreach (var (key, value) in _values)
        {
            if (!_read.Contains(key) && value.ValueKind != JsonValueKind.Null) Log.Error(FieldPath(key), "unknown parameter for this check");
        }
    }

    private int? Ignore(string name)
    {
        _read.Add(name);
        return null;
    }

    private string? IgnoreString(string name)
    {
        _read.Add(name);
        return null;
    }
}
