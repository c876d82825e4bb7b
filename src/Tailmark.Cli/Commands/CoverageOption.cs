using System.CommandLine;
using System.Globalization;
using Tailmark.Scoring;

namespace Tailmark.Cli.Commands;

/// <summary><c>--min-judged-coverage</c>: overrides the scoring configuration's share of judged weight a reward needs.</summary>
internal static class CoverageOption
{
    public static Option<double?> Create() => new("--min-judged-coverage")
    {
        Description = "Share of a rubric's judged weight that must get a verdict for the reward to be defined (else null, " +
            $"'insufficient_coverage'); 0 turns the rule off. Default: the scoring configuration's " +
                $"({ScoringConfig.DefaultMinJudgedCoverage.ToString(CultureInfo.InvariantCulture)}).",
    };

    public static ScoringConfig Apply(ScoringConfig config, double? value)
    {
        if (value is not { } v) return config;
        if (!(v is >= 0 and <= 1)) throw new UsageException($"--min-judged-coverage must lie in [0,1], not {v.ToString(CultureInfo.InvariantCulture)}");
        return config with { MinJudgedCoverage = v };
    }
}
