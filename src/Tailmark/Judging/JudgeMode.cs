namespace Tailmark.Judging;

/// <summary>
/// How criteria are grouped into judge calls: <c>per-criterion</c> (one call each, conversation and response first
/// and the criterion last, so a serving engine's prefix cache reuses the shared part), <c>batched:K</c> (K
/// criteria per call) or <c>all</c> (one call per response).
/// </summary>
public sealed record JudgeMode(string Name, int BatchSize)
{
    public static readonly JudgeMode PerCriterion = new("per-criterion", 1);
    public static readonly JudgeMode AllAtOnce = new("all", int.MaxValue);

    public static JudgeMode Parse(string text)
    {
        text = text.Trim();
        if (text == "per-criterion") return PerCriterion;
        if (text == "all") return AllAtOnce;
        if (text.StartsWith("batched:", StringComparison.Ordinal) && int.TryParse(text[8..], out var k) && k >= 1) return new JudgeMode($"batched:{k}", k);
        throw new FormatException($"unknown judge mode '{text}' (expected per-criterion, batched:K or all)");
    }

    public override string ToString() => Name;
}
