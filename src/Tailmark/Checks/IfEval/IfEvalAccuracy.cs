namespace Tailmark.Checks.IfEval;

/// <summary>Prompt-level (all instructions followed) and instruction-level accuracy, overall and per instruction.</summary>
public sealed record IfEvalAccuracy(double PromptLevel, double InstructionLevel, IReadOnlyDictionary<string, (int Followed, int Total)> PerInstruction)
{
    public static IfEvalAccuracy Of(IReadOnlyList<IfEvalResult> results)
    {
        var per = new SortedDictionary<string, (int, int)>(StringComparer.Ordinal);
        int followed = 0, total = 0;
        foreach (var r in results)
        {
            for (var i = 0; i < r.Followed.Length; i++)
            {
                var id = r.Item.InstructionIds[i];
                var (f, t) = per.GetValueOrDefault(id);
                per[id] = (f + (r.Followed[i] ? 1 : 0), t + 1);
                followed += r.Followed[i] ? 1 : 0;
                total++;
            }
        }
        var prompt = results.Count == 0 ? 0 : (double)results.Count(r => r.FollowedAll) / results.Count;
        return new IfEvalAccuracy(prompt, total == 0 ? 0 : (double)followed / total, per);
    }
}
