using System.Text.Json;

namespace Tailmark.Evaluation;

/// <summary>
/// Writes one best-of-n row — <c>{"rubrics"?, "n", "kl", "proxy", "gold"}</c> — as <c>eval bon --out</c> and the demo's
/// <c>bon.jsonl</c> do; <c>rubrics</c> names the curve when one file holds several.
/// </summary>
public static class BestOfNRowWriter
{
    public static void Write(Utf8JsonWriter w, BestOfNPoint p, string? rubrics = null)
    {
        w.WriteStartObject();
        if (rubrics is not null) w.WriteString("rubrics", rubrics);
        w.WriteNumber("n", p.N);
        w.WriteNumber("kl", p.Kl);
        w.WriteNumber("proxy", p.Proxy);
        w.WriteNumber("gold", p.Gold);
        w.WriteEndObject();
    }
}
