namespace Tailmark.Llm;

/// <summary>
/// A snapshot of an endpoint's usage. Calls are successful answers; failures are calls given up on. Unusable answers
/// are questions the endpoint answered (HTTP 200) in a form no verdict or rubric could be read from, even after a
/// repair turn and a fresh attempt — a judge that answers but never usably is as broken as one that fails. Recent
/// answers are the latest <see cref="UsageMeter.RecentWindow"/> answers per endpoint, and how many of them were unusable;
/// recent calls the latest calls (answered or given up on), and how many of them failed.
/// </summary>
public sealed record Usage(long Calls, long Retries, long Failures, long PromptTokens, long CachedPromptTokens, long CompletionTokens, double Cost,
    long UnusableAnswers = 0, long UsableAnswers = 0, long RecentAnswers = 0, long RecentUnusable = 0, long RecentCalls = 0, long RecentFailures = 0)
{
    public static readonly Usage Zero = new(0, 0, 0, 0, 0, 0, 0);

    /// <summary>The usage of several clients together (an ensemble, or every endpoint a command opened).</summary>
    public static Usage Total(IEnumerable<Microsoft.Extensions.AI.IChatClient> clients) => clients.Aggregate(Zero, (total, c) => total.Add(c.UsageSoFar()));

    public Usage Add(Usage o) => new(Calls + o.Calls, Retries + o.Retries, Failures + o.Failures, PromptTokens + o.PromptTokens,
        CachedPromptTokens + o.CachedPromptTokens, CompletionTokens + o.CompletionTokens, Cost + o.Cost, UnusableAnswers + o.UnusableAnswers,
        UsableAnswers + o.UsableAnswers, RecentAnswers + o.RecentAnswers, RecentUnusable + o.RecentUnusable, RecentCalls + o.RecentCalls,
        RecentFailures + o.RecentFailures);
}
