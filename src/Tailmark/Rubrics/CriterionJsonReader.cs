using System.Collections.Immutable;
using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Rubrics;

/// <summary>Reads one native criterion object; see <see cref="RubricJsonReader"/>.</summary>
public static class CriterionJsonReader
{
    public static Criterion? Read(JsonElement json, string path, IssueLog log)
    {
        if (json.ValueKind != JsonValueKind.Object)
        {
            log.Error(path, $"expected a criterion object, found {JsonFieldReader.Describe(json)}");
            return null;
        }
        var f = new JsonFieldReader(json, path, log);
        var id = f.String("id", required: true);
        var text = f.String("text", required: true);
        var weight = f.Number("weight", allowNonFinite: true) ?? 1;
        var category = ReadCategory(f);
        var tags = f.Strings("tags");
        var scale = ReadScale(f);
        var check = ReadCheck(f);
        var veto = f.Bool("veto") ?? false;
        var extra = f.Rest();
        return new Criterion
        {
            Id = id ?? "",
            Text = text ?? "",
            Weight = weight,
            Category = category,
            Tags = tags,
            Scale = scale,
            Check = check,
            Veto = veto,
            Extra = extra,
        };
    }

    private static CriterionCategory? ReadCategory(JsonFieldReader f)
    {
        var text = f.String("category");
        if (text is null) return null;
        if (Enum.TryParse<CriterionCategory>(text, ignoreCase: true, out var c) && !int.TryParse(text, out _)) return c;
        f.Log.Error(f.FieldPath("category"), $"unknown category \"{text}\" (expected essential, important, optional or pitfall)");
        return null;
    }

    private static CriterionScale? ReadScale(JsonFieldReader f)
    {
        if (f.Object("scale") is not { } obj) return null;
        var sf = new JsonFieldReader(obj, f.FieldPath("scale"), f.Log);
        var levels = ImmutableArray.CreateBuilder<ScaleLevel>();
        if (sf.Array("levels", required: true) is { } array)
        {
            var i = 0;
            foreach (var item in array.EnumerateArray())
            {
                var lp = $"{sf.FieldPath("levels")}[{i++}]";
                if (item.ValueKind != JsonValueKind.Object)
                {
                    f.Log.Error(lp, $"expected a level object, found {JsonFieldReader.Describe(item)}");
                    continue;
                }
                var lf = new JsonFieldReader(item, lp, f.Log);
                var value = lf.Number("value", required: true, allowNonFinite: true);
                var description = lf.String("description") ?? "";
                lf.Rest();
                if (value is { } v) levels.Add(new ScaleLevel(v, description));
            }
        }
        sf.Rest();
        return new CriterionScale(levels.ToImmutable());
    }

    private static CheckSpec? ReadCheck(JsonFieldReader f)
    {
        if (f.Object("check") is not { } obj) return null;
        var cf = new JsonFieldReader(obj, f.FieldPath("check"), f.Log);
        var type = cf.String("type", required: true);
        // Everything but "type" is a parameter of the check; parameters are not "unknown fields".
        var parameters = cf.Rest(quiet: true);
        return new CheckSpec(type ?? "", parameters);
    }
}
