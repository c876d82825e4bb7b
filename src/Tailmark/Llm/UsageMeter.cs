namespace Tailmark.Llm;

/// <summary>
/// Thread-safe usage accounting for one endpoint: calls, retries, failures, tokens and cost, and the answers its
/// callers could or could not use (<see cref="Answer"/>).
/// </summary>
public sealed class UsageMeter(PriceTable prices)
{
    /// <summary>How many of the latest answers <see cref="Usage.RecentAnswers"/> covers, and of the latest calls <see cref="Usage.RecentCalls"/>.</summary>
    public const int RecentWindow = 100;

    private long _calls, _retries, _failures, _prompt, _cached, _completion, _usable, _unusable;

    // The latest answers' usability, as a ring (1 = unusable): a judge that turns unusable after serving well for hours
    // (a model swapped behind the URL, a server restarted without its reasoning parser) shows in the recent share long
    // before it shows in the totals.
    private readonly int[] _recent = new int[RecentWindow];
    private long _answers;

    // The latest calls' outcomes, as a ring (1 = failed after its retries): a judge that dies after serving well.
    private readonly int[] _recentCalls = new int[RecentWindow];
    private long _outcomes;

    public void Call(long promptTokens, long cachedTokens, long completionTokens)
    {
        Interlocked.Increment(ref _calls);
        Interlocked.Add(ref _prompt, promptTokens);
        Interlocked.Add(ref _cached, cachedTokens);
        Interlocked.Add(ref _completion, completionTokens);
        Outcome(failed: false);
    }

    public void Retry() => Interlocked.Increment(ref _retries);

    public void Failure()
    {
        Interlocked.Increment(ref _failures);
        Outcome(failed: true);
    }

    private void Outcome(bool failed)
    {
        var slot = (Interlocked.Increment(ref _outcomes) - 1) % RecentWindow;
        Volatile.Write(ref _recentCalls[slot], failed ? 1 : 0);
    }

    /// <summary>A caller's judgement of one question's answer (after its repairs): usable or not.</summary>
    public void Answer(bool usable)
    {
        Interlocked.Increment(ref usable ? ref _usable : ref _unusable);
        var slot = (Interlocked.Increment(ref _answers) - 1) % RecentWindow;
        Volatile.Write(ref _recent[slot], usable ? 0 : 1);
    }

    /// <summary>Failed calls so far, when no call has succeeded yet; 0 once one has.</summary>
    public long FailuresWithoutAnyCall => Interlocked.Read(ref _calls) == 0 ? Interlocked.Read(ref _failures) : 0;

    /// <summary>Unusable answers so far, when no answer has been usable yet; 0 once one has.</summary>
    public long UnusableWithoutAnyUsable => Interlocked.Read(ref _usable) == 0 ? Interlocked.Read(ref _unusable) : 0;

    public Usage Snapshot()
    {
        var prompt = Interlocked.Read(ref _prompt);
        var cached = Interlocked.Read(ref _cached);
        var completion = Interlocked.Read(ref _completion);
        var answers = Interlocked.Read(ref _answers);
        var recent = (int)Math.Min(answers, RecentWindow);
        var recentUnusable = 0;
        for (var i = 0; i < recent; i++) recentUnusable += Volatile.Read(ref _recent[i]);
        var recentCalls = (int)Math.Min(Interlocked.Read(ref _outcomes), RecentWindow);
        var recentFailures = 0;
        for (var i = 0; i < recentCalls; i++) recentFailures += Volatile.Read(ref _recentCalls[i]);
        return new Usage(Interlocked.Read(ref _calls), Interlocked.Read(ref _retries), Interlocked.Read(ref _failures), prompt, cached, completion,
            prices.Cost(prompt, cached,
                completion), Interlocked.Read(ref _unusable), Interlocked.Read(ref _usable), recent, recentUnusable, recentCalls, recentFailures);
    }
}
