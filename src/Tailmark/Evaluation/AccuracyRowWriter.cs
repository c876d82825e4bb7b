using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Evaluation;

/// <summary>
/// Writes one accuracy row — <c>{"rubrics": NAME, REGION: {"pairs", "ties", "accuracy", "ci_low", "ci_high"}, ...}</c> —
/// the shape shared by <c>experiment tail --out</c>, <c>eval pairs --out</c> and the demo's <c>accuracy.jsonl</c>, and
/// read back by the report. An undefined accuracy (no pairs) leaves out the three numbers.
/// </summary>
public static class AccuracyRowWriter
{
    public static void Write(Utf8JsonWriter w, string name, IEnumerable<AccuracyWithInterval> regions, double? meanCriteria = null)
    {
        w.WriteStartObject();
        w.WriteString("rubrics", name);
        foreach (var r in regions)
        {
            w.WriteStartObject(r.Region);
            w.WriteNumber("pairs", r.Pairs);
            w.WriteNumber("ties", r.Ties);
            if (!double.IsNaN(r.Accuracy))
            {
                JsonNumbers.Write(w, "accuracy", r.Accuracy);
                JsonNumbers.Write(w, "ci_low", r.Low);
                JsonNumbers.Write(w, "ci_high", r.High);
            }
            w.WriteEndObject();
        }
        if (meanCriteria is { } m) JsonNumbers.Write(w, "mean_criteria", m);
        w.WriteEndObject();
    }
}
