using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Scoring;

/// <summary>
/// Writes the graded row: the verdicts row, then <c>reward</c> (null when undefined), <c>breakdown</c> and
/// <c>diagnostics</c>. The same writer serves <c>score</c>, <c>grade</c> and the reward server. With a
/// <see cref="SecretRedactor"/>, known secrets are masked in every reason and diagnostic message (an endpoint's error
/// body can echo the key it was sent).
/// </summary>
public static class GradedRowWriter
{
    public static void Write(Utf8JsonWriter w, VerdictRow row, RewardResult result, SecretRedactor? redactor = null)
    {
        w.WriteStartObject();
        w.WriteString("prompt_id", row.PromptId);
        w.WriteString("response_id", row.ResponseId);
        w.WriteString("rubric_id", row.RubricId);
        WriteVerdicts(w, row.Verdicts, redactor);
        JsonOutput.WriteMap(w, row.Extra.Where(e => e.Key is not ("reward" or "breakdown" or "diagnostics")));
        WriteReward(w, result, redactor);
        w.WriteEndObject();
    }

    public static void WriteVerdicts(Utf8JsonWriter w, IEnumerable<KeyValuePair<string, Verdict>> verdicts, SecretRedactor? redactor = null)
    {
        w.WriteStartObject("verdicts");
        foreach (var (id, v) in verdicts)
        {
            w.WriteStartObject(id);
            w.WriteString("status", Verdict.StatusName(v.Status));
            if (v.Level is { } level) JsonNumbers.Write(w, "level", level);
            if (v.PYes is { } p) JsonNumbers.Write(w, "p_yes", p);
            if (v.Reason is not null) w.WriteString("reason", redactor?.Redact(v.Reason) ?? v.Reason);
            w.WriteEndObject();
        }
        w.WriteEndObject();
    }

    /// <summary>Writes <c>reward</c>, <c>breakdown</c> and <c>diagnostics</c> as properties of the current object.</summary>
    public static void WriteReward(Utf8JsonWriter w, RewardResult result, SecretRedactor? redactor = null)
    {
        w.WritePropertyName("reward");
        WriteNullable(w, result.Reward);
        var b = result.Breakdown;
        w.WriteStartObject("breakdown");
        JsonNumbers.Write(w, "earned", b.Earned);
        JsonNumbers.Write(w, "penalty", b.Penalty);
        JsonNumbers.Write(w, "interactions", b.InteractionTotal);
        JsonNumbers.Write(w, "denominator", b.Denominator);
        w.WritePropertyName("raw");
        WriteNullable(w, b.Raw);
        if (b.Clipped is { } clipped) JsonNumbers.Write(w, "clipped", clipped);
        if (b.Shaped is { } shaped) JsonNumbers.Write(w, "shaped", shaped);
        if (b.VetoedBy is not null) w.WriteString("vetoed_by", b.VetoedBy);
        if (b.JudgedCoverage is { } coverage) JsonNumbers.Write(w, "judged_coverage", coverage);
        w.WriteStartArray("criteria");
        foreach (var c in b.Criteria)
        {
            w.WriteStartObject();
            w.WriteString("id", c.Id);
            JsonNumbers.Write(w, "weight", c.Weight);
            w.WriteString("status", Verdict.StatusName(c.Status));
            w.WriteBoolean("counted", c.Counted);
            JsonNumbers.Write(w, "value", c.Value);
            JsonNumbers.Write(w, "contribution", c.Contribution);
            w.WriteEndObject();
        }
        w.WriteEndArray();
        w.WriteEndObject();
        w.WriteStartArray("diagnostics");
        foreach (var d in result.Diagnostics)
        {
            w.WriteStartObject();
            w.WriteString("code", d.Code);
            w.WriteString("message", redactor?.Redact(d.Message) ?? d.Message);
            if (d.CriterionId is not null) w.WriteString("criterion_id", d.CriterionId);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }

    private static void WriteNullable(Utf8JsonWriter w, double? value)
    {
        if (value is { } v) JsonNumbers.Write(w, v);
        else w.WriteNullValue();
    }
}
