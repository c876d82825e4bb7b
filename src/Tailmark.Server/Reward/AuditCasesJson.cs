using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Server.Reward;

/// <summary>
/// <c>GET /v1/audit/cases</c>: the audit's kept disagreements (suspected hacks) and good rollouts, each with its prompt,
/// step (or clock window), response and both rewards — the material for mining defense criteria (docs/server.md).
/// </summary>
public static class AuditCasesJson
{
    public static string Render(RewardAudit audit)
    {
        var (disagreements, good) = audit.Cases();
        return JsonOutput.Render(w =>
        {
            w.WriteStartObject();
            w.WriteString("reference_judge", audit.Judge);
            JsonNumbers.Write(w, "disagreement_gap", RewardAudit.DisagreementGap);
            JsonNumbers.Write(w, "good_reference", RewardAudit.GoodReference);
            Cases(w, "disagreements", disagreements);
            Cases(w, "good", good);
            w.WriteEndObject();
        });
    }

    private static void Cases(Utf8JsonWriter w, string name, IReadOnlyList<AuditCase> cases)
    {
        w.WriteStartArray(name);
        foreach (var c in cases)
        {
            w.WriteStartObject();
            w.WriteString("prompt_id", c.PromptId);
            c.Key.WriteTo(w);
            JsonNumbers.Write(w, "training_reward", c.Training);
            JsonNumbers.Write(w, "reference_reward", c.Reference);
            w.WriteString("response", c.Response);
            w.WriteEndObject();
        }
        w.WriteEndArray();
    }
}
