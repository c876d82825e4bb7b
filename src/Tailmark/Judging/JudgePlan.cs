using Tailmark.Llm;

namespace Tailmark.Judging;

/// <summary>
/// What grading would ask one judge, without asking: calls after the cache, their prompt characters, their output
/// budget (an upper bound on completion tokens) and the verdicts the cache already holds.
/// </summary>
public sealed record JudgePlan(EndpointSpec Judge, int Calls, long PromptCharacters, long MaxCompletionTokens, int CachedVerdicts)
{
    /// <summary>Prompt tokens estimated as characters ÷ 4, the estimate the tokens-per-minute limit uses too.</summary>
    public long EstimatedPromptTokens => PromptCharacters / 4;

    public JudgePlan Add(JudgePlan other) =>
        this with { Calls = Calls + other.Calls, PromptCharacters = PromptCharacters + other.PromptCharacters,
            MaxCompletionTokens = MaxCompletionTokens + other.MaxCompletionTokens, CachedVerdicts = CachedVerdicts + other.CachedVerdicts };
}
