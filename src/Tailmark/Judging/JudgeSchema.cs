using System.Buffers;
using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Tailmark.Rubrics;

namespace Tailmark.Judging;

/// <summary>
/// The JSON schema of a judge answer about a batch of criteria, for servers that constrain decoding to it
/// (<c>response_format</c> of type <c>json_schema</c>): <c>{"verdicts": [{"id", "met", "reason"}]}</c> with the batch's
/// exact ids as an enum, <c>met</c> a boolean, and <c>level</c> — one of the criterion's level values — only in the
/// entries of ordinal criteria (one branch of an <c>anyOf</c> per ordinal criterion). Written for OpenAI's strict mode
/// (every property required, no others allowed) and kept to keywords the common backends compile (xgrammar,
/// llguidance, outlines, llama.cpp's grammar converter): no <c>minItems</c>/<c>maxItems</c>, which some versions refuse.
/// </summary>
public static class JudgeSchema
{
    public const string Name = "verdicts";

    // Batches repeat (per criterion, the same criterion for every response): their formats are built once. Bounded.
    private static readonly ConcurrentDictionary<string, ChatResponseFormat> Formats = new(StringComparer.Ordinal);
    private const int MaxFormats = 10_000;

    /// <summary>The response format asking for <see cref="For"/>'s schema; the same instance for the same batch shape.</summary>
    public static ChatResponseFormat Format(IReadOnlyList<Criterion> batch)
    {
        var key = batch.Count == 1
            && batch[0].Scale is null ? batch[0].Id : string.Join("\u001f",
                batch.Select(c => c.Scale is null ? c.Id : c.Id + "\u001e" + string.Join(",", c.Scale.Levels.Select(l => JudgeVerdictParser.Number(l.Value)))));
        if (Formats.TryGetValue(key, out var format)) return format;
        if (Formats.Count >= MaxFormats) Formats.Clear();
        return Formats.GetOrAdd(key, _ => ChatResponseFormat.ForJsonSchema(For(batch), Name));
    }

    public static JsonElement For(IReadOnlyList<Criterion> batch)
    {
        var buffer = new ArrayBufferWriter<byte>(256 + 32 * batch.Count);
        using (var w = new Utf8JsonWriter(buffer))
        {
            w.WriteStartObject();
            w.WriteString("type", "object");
            w.WriteStartObject("properties");
            w.WriteStartObject("verdicts");
            w.WriteString("type", "array");
            w.WriteStartObject("items");
            var plain = batch.Where(c => c.Scale is null).Select(c => c.Id).ToList();
            var ordinal = batch.Where(c => c.Scale is not null).ToList();
            if (ordinal.Count == 0)
            {
                Item(w, plain, null);
            }
            else
            {
                w.WriteStartArray("anyOf");
                if (plain.Count > 0)
                {
                    w.WriteStartObject();
                    Item(w, plain, null);
                    w.WriteEndObject();
                }
                foreach (var c in ordinal)
                {
                    w.WriteStartObject();
                    Item(w, [c.Id], c.Scale!.Levels.Select(l => l.Value).ToList());
                    w.WriteEndObject();
                }
                w.WriteEndArray();
            }
            w.WriteEndObject();
            w.WriteEndObject();
            w.WriteEndObject();
            Required(w, "verdicts");
            w.WriteEndObject();
        }
        using var doc = JsonDocument.Parse(buffer.WrittenMemory);
        return doc.RootElement.Clone();
    }

    // The properties of one verdict entry (written into the object already open).
    private static void Item(Utf8JsonWriter w, IReadOnlyList<string> ids, IReadOnlyList<double>? levels)
    {
        w.WriteString("type", "object");
        w.WriteStartObject("properties");
        Property(w, "id", "string", ids, (w, id) => w.WriteStringValue(id));
        Property<string>(w, "met", "boolean", null, null);
        if (levels is not null) Property(w, "level", "number", levels, (w, l) => w.WriteNumberValue(l));
        Property<string>(w, "reason", "string", null, null);
        w.WriteEndObject();
        if (levels is null) Required(w, "id", "met", "reason");
        else Required(w, "id", "met", "level", "reason");
    }

    // One property: its type and, when given, the values it may take.
    private static void Property<T>(Utf8JsonWriter w, string name, string type, IReadOnlyList<T>? values, Action<Utf8JsonWriter, T>? write)
    {
        w.WriteStartObject(name);
        w.WriteString("type", type);
        if (values is not null)
        {
            w.WriteStartArray("enum");
            foreach (var v in values) write!(w, v);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }

    private static void Required(Utf8JsonWriter w, params string[] names)
    {
        w.WriteStartArray("required");
        foreach (var n in names) w.WriteStringValue(n);
        w.WriteEndArray();
        w.WriteBoolean("additionalProperties", false);
    }
}
