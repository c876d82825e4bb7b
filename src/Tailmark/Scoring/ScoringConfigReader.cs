using System.Collections.Immutable;
using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Scoring;

/// <summary>Reads the fields of a scoring file onto a base configuration (a preset or the defaults).</summary>
internal static class ScoringConfigReader
{
    public static ScoringConfig? Read(JsonElement json, IssueLog log)
    {
        var f = new JsonFieldReader(json, "", log);
        var config = f.String("preset") is { } preset
            ? (ScoringConfigLoader.Presets.Contains(preset) ? ScoringConfigLoader.Preset(preset) : Fail(log, preset))
            : new ScoringConfig();
        if (config is null) return null;
        config = config with { Name = f.String("name") ?? config.Name };
        if (f.String("cannot_assess") is { } ca) config = config with { CannotAssess = ScoringConfigLoader.ParsePolicy(ca, log, "cannot_assess") };
        if (f.String("normalization") is { } n) config = config with
        {
            Normalization = Pick(n, log, "normalization", ("positive", Normalization.Positive), ("absolute", Normalization.Absolute)),
        };
        if (f.String("all_negative") is { } an) config = config with
        {
            AllNegative = Pick(an, log, "all_negative", ("from_one", AllNegativeRule.FromOne), ("undefined", AllNegativeRule.Undefined)),
        };
        if (f.Bool("use_probabilities") is { } up) config = config with { UseProbabilities = up };
        if (f.Bool("clip") is { } clip) config = config with { Clip = clip };
        if (f.Number("min_judged_coverage") is { } coverage) config = config with { MinJudgedCoverage = coverage };
        if (f.String("run_mean") is { } rm) config = config with { ClipRunMean = Pick(rm, log, "run_mean", ("clip", true), ("plain", false)) };
        if (f.Object("veto") is { } veto)
        {
            var vf = new JsonFieldReader(veto, "veto", log);
            config = config with { VetoEnabled = vf.Bool("enabled") ?? true, VetoValue = vf.Number("value") ?? config.VetoValue };
            vf.Rest();
        }
        if (f.Raw("saturation") is { ValueKind: JsonValueKind.Object } sat)
        {
            var sf = new JsonFieldReader(sat, "saturation", log);
            var scope = sf.String("scope") ?? "category";
            config = config with
            {
                Saturation = Pick(scope, log, "saturation.scope",
                    ("none", SaturationScope.None), ("criterion", SaturationScope.Criterion), ("category", SaturationScope.Category)),
                SaturationK = sf.Number("k") ?? config.SaturationK,
            };
            sf.Rest();
        }
        else if (f.Raw("saturation") is { ValueKind: JsonValueKind.String } satName)
        {
            config = config with
            {
                Saturation = Pick(satName.GetString()!, log, "saturation",
                    ("none", SaturationScope.None), ("criterion", SaturationScope.Criterion), ("category", SaturationScope.Category)),
            };
        }
        if (f.Raw("shaping") is { ValueKind: JsonValueKind.Object } shape)
        {
            var hf = new JsonFieldReader(shape, "shaping", log);
            config = config with
            {
                Shaping = Pick(hf.String("kind", required: true) ?? "none", log, "shaping.kind",
                    ("none", ShapingKind.None), ("power", ShapingKind.Power), ("logistic", ShapingKind.Logistic)),
                ShapingGamma = hf.Number("gamma") ?? config.ShapingGamma,
                ShapingK = hf.Number("k") ?? config.ShapingK,
                ShapingMidpoint = hf.Number("midpoint") ?? config.ShapingMidpoint,
            };
            hf.Rest();
        }
        else if (f.Raw("shaping") is { ValueKind: JsonValueKind.String } shapeName)
        {
            config = config with
            {
                Shaping = Pick(shapeName.GetString()!, log, "shaping",
                    ("none", ShapingKind.None), ("power", ShapingKind.Power), ("logistic", ShapingKind.Logistic)),
            };
        }
        if (f.Array("interactions") is { } list) config = config with { Interactions = ReadInteractions(list, log) };
        f.Rest();
        return config;
    }

    private static ImmutableArray<Interaction> ReadInteractions(JsonElement list, IssueLog log)
    {
        var result = ImmutableArray.CreateBuilder<Interaction>();
        var i = 0;
        foreach (var item in list.EnumerateArray())
        {
            var path = $"interactions[{i++}]";
            if (item.ValueKind != JsonValueKind.Object)
            {
                log.Error(path, "expected an object with first, second, kind and weight");
                continue;
            }
            var f = new JsonFieldReader(item, path, log);
            var first = f.String("first", required: true);
            var second = f.String("second", required: true);
            var kind = Pick(f.String("kind", required: true) ?? "synergy", log, $"{path}.kind",
                ("synergy", InteractionKind.Synergy), ("conflict", InteractionKind.Conflict));
            var weight = f.Number("weight", required: true);
            f.Rest();
            if (first is not null && second is not null && weight is { } w) result.Add(new Interaction(first, second, kind, w));
        }
        return result.ToImmutable();
    }

    private static T Pick<T>(string text, IssueLog log, string field, params (string Name, T Value)[] options)
    {
        foreach (var (name, value) in options)
        {
            if (string.Equals(name, text.Trim(), StringComparison.OrdinalIgnoreCase)) return value;
        }
        log.Error(field, $"unknown value \"{text}\" (expected {string.Join(", ", options.Select(o => o.Name))})");
        return options[0].Value;
    }

    private static ScoringConfig? Fail(IssueLog log, string preset)
    {
        log.Error("preset", $"unknown preset \"{preset}\" (expected {string.Join(", ", ScoringConfigLoader.Presets)})");
        return null;
    }
}
