using System.Buffers;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Tailmark.Io;

/// <summary>
/// Converts YAML documents to JSON (YAML 1.2 core schema for plain scalars) so that hand-written YAML rubrics
/// and scoring files go through the same readers as JSON. Records the line of every field path, so that an
/// issue found in the JSON can point at the YAML line it came from. Reads YAML's event stream without recursion,
/// within <see cref="InputLimits"/>: nesting deeper than <see cref="InputLimits.MaxDepth"/> and aliases that
/// expand the file past <see cref="InputLimits.MaxYamlExpansion"/> are errors, so no file can exhaust the stack or
/// the memory.
/// </summary>
public static partial class YamlJson
{
    public sealed record Document(JsonElement Json, IReadOnlyDictionary<string, int> Lines);

    /// <summary>Parses every document of a YAML text; a syntax error or a bound exceeded becomes an <see cref="InputException"/>.</summary>
    public static IReadOnlyList<Document> Parse(string text, string file)
    {
        var events = new EventSource(new Parser(new StringReader(text)), file, InputLimits.MaxYamlExpansion(text.Length));
        var documents = new List<Document>();
        try
        {
            events.Expect<StreamStart>();
            while (events.Next() is DocumentStart)
            {
                documents.Add(ReadDocument(events, file));
                events.Expect<DocumentEnd>();
            }
        }
        catch (YamlException ex)
        {
            throw new InputException(file, (int)ex.Start.Line, null, $"malformed YAML: {ex.InnerException?.Message ?? ex.Message}");
        }
        return documents;
    }

    /// <summary>Gives each issue of a YAML-sourced row the line of its field (or of the nearest parent field).</summary>
    public static InputIssue Locate(InputIssue issue, IReadOnlyDictionary<string, int> lines, string prefix = "")
    {
        var field = issue.Field is null ? prefix : prefix.Length == 0 ? issue.Field : $"{prefix}.{issue.Field}";
        while (true)
        {
            if (lines.TryGetValue(field, out var line)) return issue with { Line = line };
            var cut = Math.Max(field.LastIndexOf('.'), field.LastIndexOf('['));
            if (cut <= 0) return lines.TryGetValue("", out var top) ? issue with { Line = top } : issue;
            field = field[..cut];
        }
    }

    /// <summary>
    /// One open mapping or sequence: its field path, and where the next child goes. A node an alias stands for is
    /// <see cref="Replayed"/>: its keys were checked and its lines taken where its anchor was read, so its children
    /// cost no path, line or key check again (an alias-heavy file stays fast up to its expansion bound).
    /// </summary>
    private sealed class Frame(bool isMapping, string path, bool replayed)
    {
        public bool IsMapping { get; } = isMapping;
        public string Path { get; } = path;
        public bool Replayed { get; } = replayed;
        public int Index { get; set; }
        public string? Key { get; set; }
        public HashSet<string> Keys { get; } = new(StringComparer.Ordinal);
    }

    private static Document ReadDocument(EventSource events, string file)
    {
        var lines = new Dictionary<string, int>(StringComparer.Ordinal);
        var buffer = new ArrayBufferWriter<byte>();
        using (var w = new Utf8JsonWriter(buffer, new JsonWriterOptions { Encoder = JsonOutput.Compact.Encoder, MaxDepth = InputLimits.MaxDepth + 1 }))
        {
            var frames = new Stack<Frame>();
            do
            {
                var e = events.Next();
                var line = (int)e.Start.Line;
                var parent = frames.Count > 0 ? frames.Peek() : null;
                var replayed = parent is { Replayed: true };
                if (parent is { IsMapping: true, Key: null } && e is not MappingEnd)
                {
                    // A key: only a plain value can name a JSON field.
                    if (e is not Scalar key)
                    {
                        throw new InputException(file, line, parent.Path.Length > 0 ? parent.Path : null,
                            "a mapping key must be a plain value, not a list or a mapping");
                    }
                    var name = key.Value;
                    if (!replayed)
                    {
                        var childPath = parent.Path.Length == 0 ? name : $"{parent.Path}.{name}";
                        if (!parent.Keys.Add(name)) throw new InputException(file, line, childPath, "duplicate key");
                        lines.TryAdd(childPath, line);
                    }
                    parent.Key = name;
                    w.WritePropertyName(name);
                    continue;
                }
                var path = parent is null ? "" : replayed ? parent.Path
                    : parent.IsMapping ? (parent.Path.Length == 0 ? parent.Key! : $"{parent.Path}.{parent.Key}") : $"{parent.Path}[{parent.Index}]";
                switch (e)
                {
                    case MappingStart or SequenceStart:
                        if (!replayed) lines.TryAdd(path, line);
                        if (frames.Count >= InputLimits.MaxDepth)
                        {
                            throw new InputException(file, line, path.Length > 0 ? path : null, $"nested deeper than {InputLimits.MaxDepth} levels");
                        }
                        if (e is MappingStart) w.WriteStartObject();
                        else w.WriteStartArray();
                        frames.Push(new Frame(e is MappingStart, path, replayed || events.Replaying));
                        continue;
                    case MappingEnd:
                        w.WriteEndObject();
                        frames.Pop();
                        break;
                    case SequenceEnd:
                        w.WriteEndArray();
                        frames.Pop();
                        break;
                    case Scalar scalar:
                        if (!replayed) lines.TryAdd(path, line);
                        WriteScalar(w, scalar);
                        break;
                    default:
                        throw new InputException(file, line, null, $"malformed YAML: unexpected {e.GetType().Name}");
                }
                // A value is complete: the parent moves on to its next key or item.
                if (frames.Count > 0)
                {
                    var up = frames.Peek();
                    if (up.IsMapping) up.Key = null;
                    else up.Index++;
                }
            }
            while (frames.Count > 0);
        }
        using var parsed = JsonDocument.Parse(buffer.WrittenMemory, InputLimits.Written);
        return new Document(parsed.RootElement.Clone(), lines);
    }

    /// <summary>
    /// The parser's events with aliases replaced by the events of their anchored node (replayed, not re-parsed), the
    /// replayed text counted against the file's expansion bound.
    /// </summary>
    private sealed class EventSource(IParser parser, string file, long maxExpansion)
    {
        private readonly Dictionary<string, List<ParsingEvent>> _anchors = new(StringComparer.Ordinal);
        private readonly List<(string Name, List<ParsingEvent> Events, int Depth)> _recording = [];
        private readonly Stack<IEnumerator<ParsingEvent>> _replays = new();
        private long _expanded;
        private int _line = 1;

        /// <summary>Whether the last event came from an alias's replay.</summary>
        public bool Replaying => _replays.Count > 0;

        public void Expect<T>() where T : ParsingEvent
        {
            var e = Next();
            if (e is not T) throw new InputException(file, (int)e.Start.Line, null, $"malformed YAML: expected {typeof(T).Name}, found {e.GetType().Name}");
        }

        public ParsingEvent Next()
        {
            while (_replays.Count > 0)
            {
                var replay = _replays.Peek();
                if (replay.MoveNext())
                {
                    _expanded += Weight(replay.Current);
                    if (_expanded > maxExpansion)
                    {
                        throw new InputException(file, (int)replay.Current.Start.Line, null,
                            $"YAML aliases expand this file past {maxExpansion:#,0} characters (a hundred times its size plus 100,000): an alias bomb, not " +
                                $"an input");
                    }
                    // An anchored node that holds an alias holds what the alias stands for.
                    Record(replay.Current, startRecording: false);
                    return replay.Current;
                }
                replay.Dispose();
                _replays.Pop();
            }
            bool more;
            try
            {
                more = parser.MoveNext();
            }
            catch (Exception ex) when (ex is not (YamlException or InputException or OutOfMemoryException))
            {
                // YamlDotNet's scanner fails on some malformed text with its own internal errors instead of a YamlException.
                throw new InputException(file, _line, null, "malformed YAML: the parser could not go on after this line");
            }
            if (!more) throw new InputException(file, null, null, "malformed YAML: the file ends inside a document");
            var e = parser.Current!;
            _line = (int)e.Start.Line;
            if (e is AnchorAlias alias)
            {
                if (!_anchors.TryGetValue(alias.Value.Value, out var anchored))
                {
                    throw new InputException(file, (int)alias.Start.Line, null, $"the alias *{alias.Value.Value} names no complete anchor before it");
                }
                _replays.Push(anchored.GetEnumerator());
                return Next();
            }
            Record(e, startRecording: true);
            return e;
        }

        /// <summary>Keeps the events of every anchored node being read, so an alias to it can replay them.</summary>
        private void Record(ParsingEvent e, bool startRecording)
        {
            for (var i = _recording.Count - 1; i >= 0; i--)
            {
                var (name, events, depth) = _recording[i];
                events.Add(e);
                depth += e.NestingIncrease;
                if (depth == 0)
                {
                    _anchors[name] = events;
                    _recording.RemoveAt(i);
                }
                else
                {
                    _recording[i] = (name, events, depth);
                }
            }
            if (startRecording && e is NodeEvent { Anchor.IsEmpty: false } node)
            {
                if (e is Scalar) _anchors[node.Anchor.Value] = [e];
                else _recording.Add((node.Anchor.Value, [e], e.NestingIncrease));
            }
        }

        private static long Weight(ParsingEvent e) => e is Scalar s ? s.Value.Length + 4 : 2;
    }

    private static void WriteScalar(Utf8JsonWriter w, Scalar scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not ScalarStyle.Plain || IsStringTag(scalar.Tag))
        {
            w.WriteStringValue(text);
            return;
        }
        if (IsNullWord(text)) w.WriteNullValue();
        else if (IsTrueWord(text)) w.WriteBooleanValue(true);
        else if (IsFalseWord(text)) w.WriteBooleanValue(false);
        else if (IntPattern().IsMatch(text)
            && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) w.WriteNumberValue(l);
        // A number JSON can spell is kept as written (1e400 stays 1e400, which a number field reads as infinite and
        // validation names), exactly as the same number in a JSON file.
        else if (JsonNumberPattern().IsMatch(text)) w.WriteRawValue(text);
        else if (FloatPattern().IsMatch(text) && double.Parse(text, CultureInfo.InvariantCulture) is var d)
        {
            if (double.IsFinite(d)) w.WriteNumberValue(d);
            else w.WriteStringValue(d > 0 ? "Infinity" : "-Infinity");
        }
        // JSON cannot hold NaN or infinity: keep the name as a string, which number readers understand.
        else if (SpecialFloat(text) is { } name) w.WriteStringValue(name);
        else w.WriteStringValue(text);
    }

    /// <summary>
    /// Whether <paramref name="text"/>, written as a plain (unquoted) scalar, reads back as that same string: not a
    /// null, boolean or number of the core schema. <see cref="JsonYaml"/> quotes every other string.
    /// </summary>
    internal static bool PlainReadsAsItself(string text) =>
        !IsNullWord(text) && !IsTrueWord(text) && !IsFalseWord(text) && SpecialFloat(text) is null
        && !IntPattern().IsMatch(text) && !JsonNumberPattern().IsMatch(text) && !FloatPattern().IsMatch(text);

    private static bool IsNullWord(string text) => text is "" or "~" or "null" or "Null" or "NULL";

    private static bool IsTrueWord(string text) => text is "true" or "True" or "TRUE";

    private static bool IsFalseWord(string text) => text is "false" or "False" or "FALSE";

    private static string? SpecialFloat(string text) => text switch
    {
        ".nan" or ".NaN" or ".NAN" => "NaN",
        ".inf" or ".Inf" or ".INF" or "+.inf" => "Infinity",
        "-.inf" or "-.Inf" or "-.INF" => "-Infinity",
        _ => null,
    };

    /// <summary>An explicit tag other than the core schema's null, bool, int and float makes the scalar a string.</summary>
    private static bool IsStringTag(TagName tag) =>
        !tag.IsEmpty && !tag.IsNonSpecific &&
        tag.Value is not ("tag:yaml.org,2002:null" or "tag:yaml.org,2002:bool" or "tag:yaml.org,2002:int" or "tag:yaml.org,2002:float");

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$")]
    private static partial Regex JsonNumberPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
