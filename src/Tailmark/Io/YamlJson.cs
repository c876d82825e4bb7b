using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;
using YamlDotNet.Core;
using YamlDotNet.RepresentationModel;

namespace Tailmark.Io;

/// <summary>
/// Converts YAML documents to JSON (YAML 1.2 core schema for plain scalars) so that hand-written YAML rubrics
/// and scoring files go through the same readers as JSON. Records the line of every field path, so that an
/// issue found in the JSON can point at the YAML line it came from.
/// </summary>
public static partial class YamlJson
{
    public sealed record Document(JsonElement Json, IReadOnlyDictionary<string, int> Lines);

    /// <summary>Parses every document of a YAML text; a syntax error becomes an <see cref="InputException"/>.</summary>
    public static IReadOnlyList<Document> Parse(string text, string file)
    {
        var stream = new YamlStream();
        try
        {
            stream.Load(new StringReader(text));
        }
        catch (YamlException ex)
        {
            throw new InputException(file, (int)ex.Start.Line, null, $"malformed YAML: {ex.InnerException?.Message ?? ex.Message}");
        }
        var documents = new List<Document>();
        foreach (var doc in stream.Documents)
        {
            var lines = new Dictionary<string, int>(StringComparer.Ordinal);
            var json = JsonOutput.Render(w => Write(w, doc.RootNode, "", lines));
            using var parsed = JsonDocument.Parse(json);
            documents.Add(new Document(parsed.RootElement.Clone(), lines));
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

    private static void Write(Utf8JsonWriter w, YamlNode node, string path, Dictionary<string, int> lines)
    {
        lines.TryAdd(path, (int)node.Start.Line);
        switch (node)
        {
            case YamlMappingNode map:
                w.WriteStartObject();
                foreach (var (key, value) in map.Children)
                {
                    var name = ((YamlScalarNode)key).Value ?? "";
                    var childPath = path.Length == 0 ? name : $"{path}.{name}";
                    lines.TryAdd(childPath, (int)key.Start.Line);
                    w.WritePropertyName(name);
                    Write(w, value, childPath, lines);
                }
                w.WriteEndObject();
                break;
            case YamlSequenceNode seq:
                w.WriteStartArray();
                var i = 0;
                foreach (var item in seq.Children) Write(w, item, $"{path}[{i++}]", lines);
                w.WriteEndArray();
                break;
            case YamlScalarNode scalar:
                WriteScalar(w, scalar);
                break;
            default:
                w.WriteNullValue();
                break;
        }
    }

    private static void WriteScalar(Utf8JsonWriter w, YamlScalarNode scalar)
    {
        var text = scalar.Value ?? "";
        if (scalar.Style is not ScalarStyle.Plain)
        {
            w.WriteStringValue(text);
            return;
        }
        if (text is "" or "~" or "null" or "Null" or "NULL") w.WriteNullValue();
        else if (text is "true" or "True" or "TRUE") w.WriteBooleanValue(true);
        else if (text is "false" or "False" or "FALSE") w.WriteBooleanValue(false);
        else if (IntPattern().IsMatch(text) && long.TryParse(text, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var l)) w.WriteNumberValue(l);
        else if (FloatPattern().IsMatch(text)) w.WriteNumberValue(double.Parse(text, CultureInfo.InvariantCulture));
        // JSON cannot hold NaN or infinity: keep the name as a string, which number readers understand.
        else if (text is ".nan" or ".NaN" or ".NAN") w.WriteStringValue("NaN");
        else if (text is ".inf" or ".Inf" or ".INF" or "+.inf") w.WriteStringValue("Infinity");
        else if (text is "-.inf" or "-.Inf" or "-.INF") w.WriteStringValue("-Infinity");
        else w.WriteStringValue(text);
    }

    [GeneratedRegex(@"^[-+]?[0-9]+$")]
    private static partial Regex IntPattern();

    [GeneratedRegex(@"^[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?$")]
    private static partial Regex FloatPattern();
}
