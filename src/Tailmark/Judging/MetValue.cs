namespace Tailmark.Judging;

/// <summary>
/// Reads a judge's "met" answer: a boolean, or a string whose meaning is not in doubt, compared without case and
/// ignoring a final full stop — yes/no, true/false, met/not met (also not_met, not-met, unmet), pass/fail,
/// passed/failed, satisfied/not satisfied (also unsatisfied). Numbers are refused (a 1 could be a level), as is
/// anything hedged ("partially", "mostly").
/// </summary>
public static class MetValue
{
    public static bool? Read(LooseValue? value) => value?.Kind switch
    {
        LooseKind.True => true,
        LooseKind.False => false,
        LooseKind.String => Read(value.Text!),
        _ => null,
    };

    public static bool? Read(string text) =>
        text.Trim().TrimEnd('.', '!').Trim().ToLowerInvariant() switch
        {
            "yes" or "true" or "met" or "pass" or "passed" or "satisfied" => true,
            "no" or "false" or "not met" or "not_met" or "not-met" or "unmet" or "fail" or "failed" or "not satisfied" or "unsatisfied" => false,
            _ => null,
        };
}
