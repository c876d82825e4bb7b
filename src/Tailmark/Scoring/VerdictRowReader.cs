using System.Collections.Immutable;
using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Scoring;

/// <summary>Reads a verdicts row (docs/formats.md), reporting every problem with its field path.</summary>
public static class VerdictRowReader
{
    public static VerdictRow? Read(JsonElement json, IssueLog log)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            log.Error(null, $"expected a verdicts object, found {JsonFieldReader.Describe(json)}");
            return null;
        }
        var f = new JsonFieldReader(json, "", log);
        var promptId = f.String("prompt_id", required: true);
        var responseId = f.String("response_id", required: true);
        var rubricId = f.String("rubric_id", required: true);
        var verdicts = ImmutableSortedDictionary.CreateBuilder<string, Verdict>(StringComparer.Ordinal);
        if (f.Object("verdicts") is { } obj)
        {
            foreach (var p in obj.EnumerateObject())
            {
                if (ReadVerdict(p.Value, $"verdicts.{p.Name}", log) is { } v) verdicts[p.Name] = v;
            }
        }
        else if (!f.Has("verdicts"))
        {
            log.Error("verdicts", "required field is missing");
        }
        var extra = f.Rest(quiet: true);
        TraitFields.Read(extra, log);
        if (log.HasErrors) return null;
        return new VerdictRow(promptId!, responseId!, rubricId!, verdicts.ToImmutable(), extra);
    }

    /// <summary>A verdict is an object with a status, or the shorthand string "met" / "not_met" / "cannot_assess".</summary>
    public static Verdict? ReadVerdict(JsonElement json, string path, IssueLog log)
    {
        if (json.ValueKind == JsonValueKind.String)
        {
            if (Verdict.TryParseStatus(json.GetString()!, out var s))
            {
                return s == VerdictStatus.CannotAssess ? Verdict.CannotAssess("cannot assess (no reason given)") : new Verdict(s);
            }
            log.Error(path, $"unknown verdict \"{json.GetString()}\" (expected met, not_met or cannot_assess)");
            return null;
        }
        if (json.ValueKind != JsonValueKind.Object)
        {
            log.Error(path, $"expected a verdict object, found {JsonFieldReader.Describe(json)}");
            return null;
        }
        var f = new JsonFieldReader(json, path, log);
        var statusText = f.String("status", required: true);
        var level = f.Number("level");
        var pYes = f.Number("p_yes");
        var reason = f.String("reason");
        f.Rest();
        if (statusText is null) return null;
        if (!Verdict.TryParseStatus(statusText, out var status))
        {
            log.Error($"{path}.status", $"unknown status \"{statusText}\" (expected met, not_met or cannot_assess)");
            return null;
        }
        if (pYes is { } p && !(p is >= 0 and <= 1)) log.Error($"{path}.p_yes", $"p_yes must lie in [0,1], found {p}");
        if (level is { } l && !double.IsFinite(l)) log.Error($"{path}.level", "level must be a finite number");
        if (status == VerdictStatus.CannotAssess && string.IsNullOrWhiteSpace(reason)) reason = "cannot assess (no reason given)";
        return new Verdict(status, level, pYes, reason);
    }
}
