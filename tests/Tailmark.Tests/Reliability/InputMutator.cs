using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tailmark.Tests.Reliability;

/// <summary>How a seed file is laid out, which decides the mutations that make sense for it.</summary>
public enum SeedShape
{
    /// <summary>One JSON object per line.</summary>
    Jsonl,

    /// <summary>One JSON document.</summary>
    Json,

    /// <summary>YAML text.</summary>
    Yaml,

    /// <summary>Plain text lines.</summary>
    Text,

    /// <summary>A binary file (a SQLite database): byte mutations only.</summary>
    Binary,
}

/// <summary>
/// Seeded mutations of a valid input file, the kinds of damage users and other tools make: a JSON value replaced by
/// one of another type or a hostile one (1e400, NaN, deep nesting, a lone surrogate, a huge string), fields removed or
/// repeated, lines dropped, repeated or cut, stray bytes and invalid UTF-8, and for YAML aliases, anchors, tags,
/// complex keys and alias bombs. The same seed and input give the same bytes.
/// </summary>
public sealed class InputMutator(int seed)
{
    private readonly Random _random = new(seed);
    private const string Hole = "__tailmark_fuzz_hole__";

    private static readonly string[] JsonValues =
    [
        "null", "true", "false", "0", "-0", "1", "-1", "0.5", "3", "1e400", "-1e400", "1e-400", "123456789012345678901234567890",
        "2147483648", "-2147483649", "9007199254740993", "\"\"", "\" \"", "\"x\"", "\"NaN\"", "\"Infinity\"", "\"-Infinity\"",
        "\"\\u0000\"", "\"\\ud800\"", "\"met\"", "\"cannot_assess\"", "\"c1\"", "\"q/1\"", "\"../x\"", "\"con\"", "[]", "[[]]", "{}",
        "{\"\":1}", "[null]", "[1,\"a\",{}]", "[\"a\",\"b\"]", "{\"status\":\"met\"}", "{\"id\":\"c1\",\"text\":\"t\"}",
        "{\"role\":\"user\",\"content\":\"hi\"}", "[{\"role\":\"user\"}]",
    ];

    private static readonly string[] YamlValues =
    [
        "~", "null", "true", "yes", "0", "-1", "0x1F", "0o17", "1e400", "-1e400", ".nan", ".inf", "-.inf", "1_000", "\"\"", "''",
        "[]", "{}", "[a, b]", "{a: 1}", "*nowhere", "&anchor x", "!!binary aGk=", "!!str 3", "!custom x", "!!python/object:os.system x",
        "|\n  block\n  text", ">\n  folded", "\"\\u0000\"", "\"\\ud800\"", "'it''s'", "- a\n- b", "? [a, b]\n: c", "<<: {a: 1}",
        "2001-12-14t21:59:43.10-05:00", "@reserved", "`reserved", "%YAML 1.1",
    ];

    /// <summary>Gives a mutated copy of <paramref name="seedBytes"/>: one to three mutations chained.</summary>
    public byte[] Mutate(byte[] seedBytes, SeedShape shape)
    {
        var bytes = seedBytes;
        var rounds = 1 + _random.Next(3);
        for (var i = 0; i < rounds; i++) bytes = MutateOnce(bytes, shape);
        return bytes;
    }

    private byte[] MutateOnce(byte[] bytes, SeedShape shape)
    {
        // Structure-aware mutations find more than byte noise; byte noise still gets a share.
        var pick = _random.Next(100);
        if (shape is SeedShape.Json or SeedShape.Jsonl && pick < 55 && MutateJson(bytes, shape) is { } structured) return structured;
        if (shape == SeedShape.Yaml && pick < 55) return Encoding.UTF8.GetBytes(MutateYaml(Encoding.UTF8.GetString(bytes)));
        if (shape == SeedShape.Binary)
        {
            return _random.Next(3) switch
            {
                0 => Truncate(bytes),
                1 => FlipBytes(bytes),
                _ => Insert(bytes, [.. Enumerable.Range(0, 1 + _random.Next(64)).Select(_ => (byte)_random.Next(256))]),
            };
        }
        return (_random.Next(9)) switch
        {
            0 => Truncate(bytes),
            1 => Lines(bytes, drop: true),
            2 => Lines(bytes, drop: false),
            3 => Insert(bytes, InvalidUtf8()),
            4 => Insert(bytes, Encoding.UTF8.GetBytes(Pick(JsonValues))),
            5 => Insert(bytes, Encoding.UTF8.GetBytes(Deep(_random.Next(2) == 0 ? 300 : 20_000, _random.Next(2) == 0))),
            6 => FlipBytes(bytes),
            7 => Insert(bytes, [0xEF, 0xBB, 0xBF]),
            _ => Insert(bytes, Encoding.UTF8.GetBytes(_random.Next(2) == 0 ? "\n" : "\r\n\t\0")),
        };
    }

    private byte[]? MutateJson(byte[] bytes, SeedShape shape)
    {
        var text = Encoding.UTF8.GetString(bytes);
        if (shape == SeedShape.Json) return MutateDocument(text) is { } doc ? Encoding.UTF8.GetBytes(doc) : null;
        var lines = text.Split('\n');
        var candidates = Enumerable.Range(0, lines.Length).Where(i => lines[i].TrimStart().StartsWith('{')).ToList();
        if (candidates.Count == 0) return null;
        var at = candidates[_random.Next(candidates.Count)];
        if (MutateDocument(lines[at]) is not { } mutated) return null;
        lines[at] = mutated.ReplaceLineEndings(" ");
        return Encoding.UTF8.GetBytes(string.Join('\n', lines));
    }

    /// <summary>Replaces, removes or repeats one value somewhere in a JSON document.</summary>
    private string? MutateDocument(string json)
    {
        JsonNode? root;
        try
        {
            root = JsonNode.Parse(json);
        }
        catch (JsonException)
        {
            return null;
        }
        if (root is null) return null;
        try
        {
            return MutateNode(root);
        }
        catch (Exception ex) when (ex is InvalidOperationException or ArgumentException)
        {
            // An earlier mutation left what JsonNode refuses (a lone surrogate, a repeated key): mutate bytes instead.
            return null;
        }
    }

    private string? MutateNode(JsonNode root)
    {
        var nodes = new List<JsonNode>();
        Collect(root, nodes);
        var node = nodes[_random.Next(nodes.Count)];
        var raw = _random.Next(8) == 0 ? Deep(_random.Next(2) == 0 ? 200 : 5_000, _random.Next(2) == 0)
            : _random.Next(10) == 0 ? $"\"{new string('a', 200_000)}\""
            : Pick(JsonValues);
        switch (_random.Next(4))
        {
            case 0 when node.Parent is JsonObject parent:
                parent.Remove(node.GetPropertyName());
                return root.ToJsonString();
            case 1 when node is JsonObject obj && obj.Count > 0:
                // A repeated key: JSON allows no such thing, but many writers produce it.
                var key = obj.ElementAt(_random.Next(obj.Count)).Key;
                obj[Hole] = JsonValue.Create(0);
                return root.ToJsonString().Replace($"\"{Hole}\":0", $"{JsonSerializer.Serialize(key)}:{raw}", StringComparison.Ordinal);
            default:
                if (node == root) return raw;
                var placeholder = JsonValue.Create(Hole);
                if (node.Parent is JsonObject o) o[node.GetPropertyName()] = placeholder;
                else if (node.Parent is JsonArray a) a[node.GetElementIndex()] = placeholder;
                return root.ToJsonString().Replace($"\"{Hole}\"", raw, StringComparison.Ordinal);
        }
    }

    private static void Collect(JsonNode node, List<JsonNode> into)
    {
        into.Add(node);
        if (node is JsonObject obj) foreach (var (_, child) in obj) { if (child is not null) Collect(child, into); }
        else if (node is JsonArray arr) foreach (var child in arr) { if (child is not null) Collect(child, into); }
    }

    private string MutateYaml(string text)
    {
        var lines = text.Split('\n').ToList();
        switch (_random.Next(6))
        {
            case 0:
                // A billion-laughs bomb in front: nine levels of ten aliases each.
                var bomb = new StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
                for (var i = 1; i < 9; i++) bomb.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
                return _random.Next(2) == 0 ? bomb + "---\n" + text : bomb.ToString();
            case 1:
                lines.Insert(_random.Next(lines.Count + 1), Deep(_random.Next(2) == 0 ? 300 : 20_000, _random.Next(2) == 0));
                break;
            case 2:
                lines.Insert(_random.Next(lines.Count + 1), "---");
                break;
            default:
                // Replace the value of a "key: value" line, keeping its indentation.
                var keyed = Enumerable.Range(0, lines.Count).Where(i => lines[i].Contains(": ", StringComparison.Ordinal)).ToList();
                if (keyed.Count == 0) break;
                var at = keyed[_random.Next(keyed.Count)];
                var cut = lines[at].IndexOf(": ", StringComparison.Ordinal);
                var indent = new string(' ', lines[at].Length - lines[at].TrimStart().Length + 2);
                lines[at] = lines[at][..(cut + 2)] + Pick(YamlValues).Replace("\n", "\n" + indent, StringComparison.Ordinal);
                break;
        }
        return string.Join('\n', lines);
    }

    private static string Deep(int depth, bool objects) => objects
        ? string.Concat(Enumerable.Repeat("{\"a\":", depth)) + "1" + new string('}', depth)
        : new string('[', depth) + "1" + new string(']', depth);

    private byte[] Truncate(byte[] bytes) => bytes.Length == 0 ? bytes : bytes[.._random.Next(bytes.Length)];

    private byte[] Lines(byte[] bytes, bool drop)
    {
        var lines = Encoding.UTF8.GetString(bytes).Split('\n').ToList();
        var at = _random.Next(lines.Count);
        if (drop) lines.RemoveAt(at);
        else lines.Insert(at, lines[_random.Next(lines.Count)]);
        return Encoding.UTF8.GetBytes(string.Join('\n', lines));
    }

    private byte[] Insert(byte[] bytes, byte[] what)
    {
        var at = _random.Next(bytes.Length + 1);
        return [.. bytes[..at], .. what, .. bytes[at..]];
    }

    private byte[] FlipBytes(byte[] bytes)
    {
        var copy = (byte[])bytes.Clone();
        for (var i = 0; i < 1 + _random.Next(4) && copy.Length > 0; i++) copy[_random.Next(copy.Length)] = (byte)_random.Next(256);
        return copy;
    }

    private byte[] InvalidUtf8() => _random.Next(4) switch
    {
        0 => [0xFF],
        1 => [0xC3],
        2 => [0xED, 0xA0, 0x80], // an encoded surrogate
        _ => [0xE2, 0x82],
    };

    private string Pick(string[] values) => values[_random.Next(values.Length)];
}
