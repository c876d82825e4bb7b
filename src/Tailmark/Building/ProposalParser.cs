using System.Collections.Immutable;
using System.Text.Json;
using Tailmark.Rubrics;

namespace Tailmark.Building;

/// <summary>
/// Turns a proposer's answer into criteria: strict JSON (a ``` fence tolerated), a non-empty <c>criteria</c> list of
/// <c>{text, weight}</c> with non-empty text and a whole weight in −3..3 other than 0. Criteria get ids c1..cN in
/// order; negative ones are pitfalls. Returns null with the reason when the answer is unusable.
/// </summary>
public static class ProposalParser
{
    public static ImmutableArray<Criterion>? Parse(string text, out string? problem)
    {
        problem = null;
        var t = Io.JsonText.StripFence(text);
        try
        {
            using var doc = JsonDocument.Parse(t);
            if (!doc.RootElement.TryGetProperty("criteria", out var list) || list.ValueKind != JsonValueKind.Array)
            {
                problem = "no \"criteria\" list";
                return null;
            }
            var criteria = ImmutableArray.CreateBuilder<Criterion>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (var item in list.EnumerateArray())
            {
                if (item.ValueKind != JsonValueKind.Object || !item.TryGetProperty("text", out var textEl) || textEl.ValueKind != JsonValueKind.String ||
                    string.IsNullOrWhiteSpace(textEl.GetString()))
                {
                    problem = "a criterion without text";
                    return null;
                }
                var weight = item.TryGetProperty("weight", out var w) && w.TryGetDouble(out var wd) ? wd : 1;
                if (weight != Math.Round(weight) || weight is 0 or < -3 or > 3)
                {
                    problem = $"weight {weight} is not a whole number in -3..3 other than 0";
                    return null;
                }
                var textValue = textEl.GetString()!.Trim();
                if (!seen.Add(textValue)) continue; // an exact repeat adds nothing
                criteria.Add(new Criterion
                {
                    Id = $"c{criteria.Count + 1}",
                    Text = textValue,
                    Weight = weight,
                    Category = weight < 0 ? CriterionCategory.Pitfall : null,
                });
            }
            if (criteria.Count == 0)
            {
                problem = "an empty rubric";
                return null;
            }
            return criteria.ToImmutable();
        }
        catch (JsonException ex)
        {
            problem = $"malformed JSON: {ex.Message.Split(" Path:")[0]}";
            return null;
        }
    }
}
