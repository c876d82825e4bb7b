using System.CommandLine;
using Tailmark.Rubrics.Builtin;
using Tailmark.Rubrics;

namespace Tailmark.Cli.Hosting;

/// <summary>The <c>--defense</c> option that grade, score and serve share, and the shared rubric layer it selects.</summary>
internal static class DefenseLayer
{
    public static Option<string> Option() =>
        new("--defense") { Description = "Layer the built-in defense rubric: off, veto or penalty.", DefaultValueFactory = _ => "off" };

    public static IEnumerable<Rubric> Rubrics(string mode) => mode.ToLowerInvariant() switch
    {
        "off" => [],
        "veto" => [BuiltinRubrics.Defense(DefenseMode.Veto)],
        "penalty" => [BuiltinRubrics.Defense(DefenseMode.Penalty)],
        _ => throw new UsageException($"--defense must be off, veto or penalty, not '{mode}'"),
    };
}
