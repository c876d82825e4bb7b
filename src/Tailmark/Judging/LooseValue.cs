using System.Globalization;

namespace Tailmark.Judging;

/// <summary>What a <see cref="LooseValue"/> holds.</summary>
public enum LooseKind
{
    Object,
    Array,
    String,
    Number,
    True,
    False,
    Null,
    /// <summary>A key written twice in one object with different values: no value can be read from it.</summary>
    Conflict,
}

/// <summary>
/// A value read by <see cref="LooseJson"/> from a model's answer: JSON, or the near-JSON models write (Python
/// literals, single quotes, trailing commas). Members keep the order they were written in; the offsets locate the
/// value in the text it was read from.
/// </summary>
public sealed class LooseValue
{
    private LooseValue(LooseKind kind, int start) => (Kind, Start) = (kind, start);

    public LooseKind Kind { get; }

    /// <summary>Offset of the value's first character in the source text.</summary>
    public int Start { get; }

    /// <summary>Offset just past the value's last character.</summary>
    public int End { get; internal set; }

    /// <summary>A string's text, or a number as written.</summary>
    public string? Text { get; private init; }

    /// <summary>An object's members in written order (a repeated key appears once; see <see cref="LooseKind.Conflict"/>).</summary>
    public IReadOnlyList<KeyValuePair<string, LooseValue>> Members => _members ?? [];

    /// <summary>An array's items.</summary>
    public IReadOnlyList<LooseValue> Items => _items ?? [];

    private List<KeyValuePair<string, LooseValue>>? _members;
    private List<LooseValue>? _items;

    public bool IsObject => Kind == LooseKind.Object;
    public bool IsArray => Kind == LooseKind.Array;

    /// <summary>A number's value, when this is a number (or a string holding one, like "2").</summary>
    public double? AsNumber() =>
        Kind is LooseKind.Number or LooseKind.String && double.TryParse(Text, NumberStyles.Float, CultureInfo.InvariantCulture, out var v)
            && double.IsFinite(v) ? v : null;

    /// <summary>
    /// The member named NAME, compared without case ("Met" is "met"). Two members whose names differ only in case and
    /// whose values differ make a conflict, as a repeated key does.
    /// </summary>
    public LooseValue? Get(string name)
    {
        if (_members is null) return null;
        LooseValue? found = null;
        foreach (var (key, value) in _members)
        {
            if (!string.Equals(key, name, StringComparison.OrdinalIgnoreCase)) continue;
            if (found is null) found = value;
            else if (!DeepEquals(found, value)) return new LooseValue(LooseKind.Conflict, value.Start) { End = value.End };
        }
        return found;
    }

    /// <summary>Structural equality: same kind, same text, same members in the same order, same items.</summary>
    public static bool DeepEquals(LooseValue a, LooseValue b)
    {
        if (a.Kind != b.Kind) return false;
        switch (a.Kind)
        {
            case LooseKind.String:
                return string.Equals(a.Text, b.Text, StringComparison.Ordinal);
            case LooseKind.Number:
                return a.AsNumber() == b.AsNumber();
            case LooseKind.Object:
                if (a.Members.Count != b.Members.Count) return false;
                for (var i = 0; i < a.Members.Count; i++)
                {
                    if (!string.Equals(a.Members[i].Key, b.Members[i].Key, StringComparison.Ordinal)
                        || !DeepEquals(a.Members[i].Value, b.Members[i].Value)) return false;
                }
                return true;
            case LooseKind.Array:
                if (a.Items.Count != b.Items.Count) return false;
                for (var i = 0; i < a.Items.Count; i++)
                {
                    if (!DeepEquals(a.Items[i], b.Items[i])) return false;
                }
                return true;
            case LooseKind.Conflict:
                return false;
            default:
                return true;
        }
    }

    /// <summary>A short description for error messages: the text of a scalar, or its kind.</summary>
    public string Describe() => Kind switch
    {
        LooseKind.String => $"\"{Clip(Text!)}\"",
        LooseKind.Number => Text!,
        LooseKind.True => "true",
        LooseKind.False => "false",
        LooseKind.Null => "null",
        LooseKind.Conflict => "two different values",
        LooseKind.Object => "an object",
        _ => "a list",
    };

    private static string Clip(string s) => s.Length <= 40 ? s : s[..40] + "…";

    internal static LooseValue NewObject(int start) => new(LooseKind.Object, start) { _members = [] };
    internal static LooseValue NewArray(int start) => new(LooseKind.Array, start) { _items = [] };
    internal static LooseValue Scalar(LooseKind kind, int start, int end, string? text = null) => new(kind, start) { End = end, Text = text };

    // A repeated key keeps its first position; a different value there turns it into a conflict.
    internal void AddMember(string key, LooseValue value)
    {
        for (var i = 0; i < _members!.Count; i++)
        {
            if (!string.Equals(_members[i].Key, key, StringComparison.Ordinal)) continue;
            if (!DeepEquals(_members[i].Value, value)) _members[i] = new(key, new LooseValue(LooseKind.Conflict, value.Start) { End = value.End });
            return;
        }
        _members.Add(new(key, value));
    }

    internal void AddItem(LooseValue value) => _items!.Add(value);
}
