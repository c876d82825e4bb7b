using System.Collections.Immutable;
using System.Reflection;
using System.Text.Json;
using Tailmark.Io;
using Tailmark.Rubrics;

namespace Tailmark.Scoring;

/// <summary>
/// Builds a <see cref="ScoringConfig"/> from a preset name (<c>default</c>, <c>ctt</c>, <c>healthbench</c>,
/// <c>rar-explicit</c>, <c>rubicon</c>) or a YAML/JSON file, which may start from a preset with
/// <c>preset: NAME</c> and override any field. Limits are checked at load, not at first use.
/// </summary>
public static class ScoringConfigLoader
{
    public static readonly ImmutableArray<string> Presets = ["default", "ctt", "healthbench", "rar-explicit", "rubicon"];

    public static ScoringConfig Load(string? presetOrFile)
    {
        if (string.IsNullOrEmpty(presetOrFile)) return Preset("default");
        if (File.Exists(presetOrFile)) return FromFile(presetOrFile);
        if (Presets.Contains(presetOrFile)) return Preset(presetOrFile);
        throw new InputException(presetOrFile, null, null,
            $"not a scoring preset ({string.Join(", ", Presets)}) nor an existing YAML/JSON file");
    }

    public static ScoringConfig Preset(string name)
    {
        if (!Presets.Contains(name)) throw new ArgumentException($"unknown scoring preset '{name}'", nameof(name));
        var resource = $"Tailmark.Presets.{name}.yaml";
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream(resource)
            ?? throw new InvalidOperationException($"embedded preset {resource} is missing from the build");
        using var reader = new StreamReader(stream);
        return FromText(reader.ReadToEnd(), $"preset:{name}") with { Name = name };
    }

    public static ScoringConfig FromFile(string path) => FromText(File.ReadAllText(path), path);

    public static ScoringConfig FromText(string text, string file)
    {
        // JSON is a subset of YAML, so one parser reads both and keeps line numbers.
        var docs = YamlJson.Parse(text, file);
        if (docs.Count != 1 || docs[0].Json.ValueKind != JsonValueKind.Object)
        {
            throw new InputException(file, null, null, "a scoring file holds exactly one mapping");
        }
        var log = new IssueLog(file);
        var config = ScoringConfigReader.Read(docs[0].Json, log);
        if (log.HasErrors || config is null)
        {
            throw new InputException([.. log.Issues.Where(i => i.IsError).Select(i => YamlJson.Locate(i, docs[0].Lines))]);
        }
        Check(config, file);
        return config;
    }

    /// <summary>Rejects parameter values no stage can work with.</summary>
    public static void Check(ScoringConfig config, string? file = null)
    {
        var problems = new List<string>();
        if (!(config.SaturationK > 0) || !double.IsFinite(config.SaturationK)) problems.Add("saturation.k must be a positive number");
        if (!double.IsFinite(config.VetoValue)) problems.Add("veto.value must be finite");
        if (!(config.MinJudgedCoverage is >= 0 and <= 1)) problems.Add("min_judged_coverage must lie in [0,1]");
        if (config.Shaping != ShapingKind.None && !config.Clip) problems.Add("shaping works on [0,1]: it needs clip: true");
        if (config.Shaping == ShapingKind.Power && !(config.ShapingGamma > 0 && double.IsFinite(config.ShapingGamma)))
        {
            problems.Add("shaping.gamma must be positive");
        }
        if (config.Shaping == ShapingKind.Logistic && !(config.ShapingK > 0 && double.IsFinite(config.ShapingK))) problems.Add("shaping.k must be positive");
        if (config.Shaping == ShapingKind.Logistic && !(config.ShapingMidpoint is >= 0 and <= 1)) problems.Add("shaping.midpoint must lie in [0,1]");
        foreach (var i in config.Interactions)
        {
            if (!(i.Weight >= 0) || !double.IsFinite(i.Weight)) problems.Add($"interaction {i.First}/{i.Second}: weight must be a non-negative number");
        }
        if (problems.Count > 0)
        {
            throw new InputException([.. problems.Select(p => new InputIssue(IssueSeverity.Error, file ?? $"scoring:{config.Name}", null, null, p))]);
        }
    }

    internal static CannotAssessPolicy ParsePolicy(string text, IssueLog log, string field)
    {
        if (CannotAssessPolicies.TryParse(text, out var p)) return p;
        log.Error(field, $"unknown CannotAssess policy \"{text}\" (expected skip, zero or fail)");
        return CannotAssessPolicy.Skip;
    }
}
