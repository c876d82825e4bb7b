using Tailmark.Checks;
using Tailmark.Io;

namespace Tailmark.Rubrics;

/// <summary>
/// The semantic rules a rubric must keep beyond its JSON shape: an id, at least one criterion, unique
/// non-empty criterion ids, non-empty text, finite weights, strictly increasing ordinal levels, known check
/// types, and a known CannotAssess policy.
/// </summary>
public static class RubricValidator
{
    public static void Validate(Rubric rubric, IssueLog log, string path = "")
    {
        string P(string field) => path.Length == 0 ? field : $"{path}.{field}";

        if (string.IsNullOrWhiteSpace(rubric.Id) && !log.Issues.Any(i => i.Field == P("rubric_id")))
        {
            log.Error(P("rubric_id"), "rubric id is empty");
        }
        if (rubric.Criteria.IsEmpty && !log.Issues.Any(i => i.Field == P("criteria")))
        {
            log.Error(P("criteria"), "rubric has no criteria");
        }
        if (rubric.CannotAssess is { } policy && !CannotAssessPolicies.TryParse(policy, out _))
        {
            log.Error(P("cannot_assess"), $"unknown CannotAssess policy \"{policy}\" (expected skip, zero or fail)");
        }
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < rubric.Criteria.Length; i++)
        {
            var c = rubric.Criteria[i];
            var cp = P($"criteria[{i}]");
            if (string.IsNullOrWhiteSpace(c.Id))
            {
                if (!log.Issues.Any(x => x.Field == $"{cp}.id")) log.Error($"{cp}.id", "criterion id is empty");
            }
            else if (seen.TryGetValue(c.Id, out var first))
            {
                log.Error($"{cp}.id", $"duplicate criterion id \"{c.Id}\" (first used by criteria[{first}])");
            }
            else
            {
                seen[c.Id] = i;
            }
            if (string.IsNullOrWhiteSpace(c.Text) && !log.Issues.Any(x => x.Field == $"{cp}.text"))
            {
                log.Error($"{cp}.text", "criterion text is empty");
            }
            if (double.IsNaN(c.Weight)) log.Error($"{cp}.weight", "weight is NaN");
            else if (double.IsInfinity(c.Weight)) log.Error($"{cp}.weight", "weight is infinite");
            ValidateScale(c, cp, log);
            if (c.Check is { } check && check.Type.Length > 0)
            {
                if (!CheckCatalog.IsKnown(check.Type))
                {
                    log.Error($"{cp}.check.type", $"unknown check type \"{check.Type}\" (see `tailmark validate --list-checks`)");
                }
                else
                {
                    // Building the check reports missing, mistyped and unknown parameters at their fields.
                    CheckFactory.Create(check.Type, check.Parameters, log, $"{cp}.check");
                }
            }
        }
    }

    private static void ValidateScale(Criterion c, string cp, IssueLog log)
    {
        if (c.Scale is not { } scale) return;
        if (scale.Levels.Length < 2)
        {
            log.Error($"{cp}.scale.levels", "an ordinal scale needs at least two levels");
            return;
        }
        for (var j = 0; j < scale.Levels.Length; j++)
        {
            var v = scale.Levels[j].Value;
            if (!double.IsFinite(v)) log.Error($"{cp}.scale.levels[{j}].value", "level value is not a finite number");
            else if (j > 0 && !(v > scale.Levels[j - 1].Value))
            {
                log.Error($"{cp}.scale.levels[{j}].value",
                    $"levels out of order: {v} does not exceed the previous level's {scale.Levels[j - 1].Value}");
            }
        }
    }
}
