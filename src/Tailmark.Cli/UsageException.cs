using System.Globalization;
using System.Text.RegularExpressions;

namespace Tailmark.Cli;

/// <summary>A combination of options that cannot work together; exit code 2.</summary>
internal sealed partial class UsageException(string message) : Exception(message)
{
    // Settings whose option is not simply the setting's name in kebab case.
    private static readonly Dictionary<string, string> Options = new(StringComparer.Ordinal)
    {
        ["MaxRetries"] = "--retries",
        ["Budget"] = "--refine-budget",
        ["Cooldown"] = "--refine-cooldown",
        ["MaxConcurrentRequests"] = "--max-concurrent",
        ["Deadline"] = "--deadline-ms",
        ["JudgeErrorRate"] = "--judge-error",
        ["ProposerMalformedRate"] = "--proposer-malformed",
    };

    /// <summary>
    /// The usage error for a rejected option value. A setting's range check names the setting (<c>Votes</c>) and the
    /// rule (<c>between 1 and 64</c>); the user needs the option and the value: "--votes must be between 1 and 64,
    /// not 0". (The runtime's own wording around the rule, " (Parameter 'Votes')", is cut off.)
    /// </summary>
    public static UsageException From(Exception ex)
    {
        if (ex is not ArgumentOutOfRangeException range || range.ParamName is not { Length: > 0 } name) return new UsageException(ex.Message);
        var rule = RuntimeWording().Split(range.Message)[0].Trim();
        var option = Options.TryGetValue(name, out var known) ? known : "--" + Kebab().Replace(name, "-$1").ToLowerInvariant();
        var value = range.ActualValue switch
        {
            null => null,
            TimeSpan t when name == "Deadline" => t.TotalMilliseconds.ToString(CultureInfo.InvariantCulture),
            TimeSpan t => t.TotalSeconds.ToString(CultureInfo.InvariantCulture),
            IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
            var v => v.ToString(),
        };
        // A check that words its own sentence ("β must be positive", "need 0 ≤ low < high ≤ 1, got …") is kept as it is.
        if (rule.Contains(" must ", StringComparison.Ordinal) || rule.StartsWith("need ", StringComparison.Ordinal))
        {
            return new UsageException(value is null || rule.Contains("got", StringComparison.Ordinal) ? rule : $"{rule}, not {value}");
        }
        return new UsageException(value is null ? $"{option} must be {rule}" : $"{option} must be {rule}, not {value}");
    }

    // Where the runtime's additions to the message begin: " (Parameter 'X')", or its resource key when stripped.
    [GeneratedRegex(@" \(Parameter '| Arg_ParamName_Name|\r?\n")]
    private static partial Regex RuntimeWording();

    [GeneratedRegex(@"(?<=[a-z0-9])([A-Z])")]
    private static partial Regex Kebab();
}
