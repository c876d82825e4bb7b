using System.Globalization;
using System.Text.Json;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;

namespace Tailmark.Io;

/// <summary>
/// Writes JSON as YAML through YamlDotNet's emitter (its event API: no reflection, so it works in the Native AOT
/// tool). <see cref="YamlJson"/> reads the result back to the same JSON: a string that would read as a null, a
/// boolean or a number is double-quoted, numbers keep the digits JSON wrote, and a key given twice keeps its last
/// value (as every JSON reader here reads it) in its first place.
/// </summary>
public static class JsonYaml
{
    /// <summary>One YAML document holding <paramref name="json"/>.</summary>
    public static string ToYaml(JsonElement json) => Document(emitter => Write(emitter, json));

    /// <summary>One YAML document holding a list of <paramref name="items"/>.</summary>
    public static string ToYamlList(IEnumerable<JsonElement> items) => Document(emitter => Sequence(emitter, items));

    private static string Document(Action<Emitter> body)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        var emitter = new Emitter(text);
        emitter.Emit(new StreamStart());
        emitter.Emit(new DocumentStart());
        body(emitter);
        emitter.Emit(new DocumentEnd(isImplicit: true));
        emitter.Emit(new StreamEnd());
        return text.ToString();
    }

    // Recursion is bounded: the JSON comes from a JsonDocument, whose reader enforces InputLimits' depth.
    private static void Write(Emitter emitter, JsonElement json)
    {
        switch (json.ValueKind)
        {
            case JsonValueKind.Object:
                var fields = new Dictionary<string, JsonElement>(StringComparer.Ordinal);
                foreach (var p in json.EnumerateObject()) fields[p.Name] = p.Value;
                emitter.Emit(new MappingStart(AnchorName.Empty, TagName.Empty, isImplicit: true, MappingStyle.Any));
                foreach (var (name, value) in fields)
                {
                    Text(emitter, name, isKey: true);
                    Write(emitter, value);
                }
                emitter.Emit(new MappingEnd());
                break;
            case JsonValueKind.Array:
                Sequence(emitter, json.EnumerateArray());
                break;
            case JsonValueKind.String:
                Text(emitter, json.GetString()!, isKey: false);
                break;
            case JsonValueKind.Number:
                Plain(emitter, json.GetRawText());
                break;
            case JsonValueKind.True:
                Plain(emitter, "true");
                break;
            case JsonValueKind.False:
                Plain(emitter, "false");
                break;
            default:
                Plain(emitter, "null");
                break;
        }
    }

    private static void Sequence(Emitter emitter, IEnumerable<JsonElement> items)
    {
        emitter.Emit(new SequenceStart(AnchorName.Empty, TagName.Empty, isImplicit: true, SequenceStyle.Any));
        foreach (var item in items) Write(emitter, item);
        emitter.Emit(new SequenceEnd());
    }

    private static void Text(Emitter emitter, string text, bool isKey) =>
        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, text, StyleOf(text, isKey), isPlainImplicit: true, isQuotedImplicit: true));

    /// <summary>
    /// Double quotes (which escape every character) for a string a plain scalar would misread or that holds a control
    /// character or a line break other than a line feed (the emitter's own choice would fold those into line feeds); a
    /// literal block for multi-line text, which keeps its lines as written (a key cannot be one: a multi-line key is
    /// double-quoted); otherwise the emitter's choice.
    /// </summary>
    private static ScalarStyle StyleOf(string text, bool isKey)
    {
        if (!YamlJson.PlainReadsAsItself(text)) return ScalarStyle.DoubleQuoted;
        foreach (var c in text)
        {
            if (c != '\n' && (char.IsControl(c) || c is '\u2028' or '\u2029' or '\uFEFF')) return ScalarStyle.DoubleQuoted;
        }
        if (!text.Contains('\n', StringComparison.Ordinal)) return ScalarStyle.Any;
        return isKey ? ScalarStyle.DoubleQuoted : ScalarStyle.Literal;
    }

    private static void Plain(Emitter emitter, string text) =>
        emitter.Emit(new Scalar(AnchorName.Empty, TagName.Empty, text, ScalarStyle.Plain, isPlainImplicit: true, isQuotedImplicit: false));
}
