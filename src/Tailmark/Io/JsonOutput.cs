using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;

namespace Tailmark.Io;

/// <summary>Shared writer settings: UTF-8 without escaping non-ASCII text, so rubrics stay readable.</summary>
public static class JsonOutput
{
    public static readonly JsonWriterOptions Compact = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = false,
    };

    public static readonly JsonWriterOptions Indented = new()
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        Indented = true,
    };

    /// <summary>Renders one value to a string with the given writer callback.</summary>
    public static string Render(Action<Utf8JsonWriter> write, bool indented = false)
    {
        using var buffer = new MemoryStream();
        using (var writer = new Utf8JsonWriter(buffer, indented ? Indented : Compact))
        {
            write(writer);
        }
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    public static void WriteMap(Utf8JsonWriter writer, IEnumerable<KeyValuePair<string, JsonElement>> map)
    {
        foreach (var (key, value) in map)
        {
            writer.WritePropertyName(key);
            value.WriteTo(writer);
        }
    }

    /// <summary>Packs a field map into one JSON object element.</summary>
    public static JsonElement ToObject(IEnumerable<KeyValuePair<string, JsonElement>> map)
    {
        using var doc = JsonDocument.Parse(Render(w =>
        {
            w.WriteStartObject();
            WriteMap(w, map);
            w.WriteEndObject();
        }), InputLimits.Written);
        return doc.RootElement.Clone();
    }
}
