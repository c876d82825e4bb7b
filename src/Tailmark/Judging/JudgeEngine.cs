using Microsoft.Extensions.AI;
using Tailmark.Llm;
using Tailmark.Rubrics;
using Tailmark.Scoring;
using Tailmark.Storage;

namespace Tailmark.Judging;

/// <summary>
/// Judges the judged criteria of a response: groups them into calls by mode, asks every judge of the ensemble
/// for every vote (vote i with seed i) for the batch's JSON schema, reuses cached verdicts, reads each answer with
/// <see cref="VerdictExtractor"/> (tolerant in form, never guessing), repairs once, and turns every failure into a
/// CannotAssess with its reason — never a silent "not met". An answer still unusable after its repair is asked afresh
/// once (garbling is usually transient) before giving up; one cut off while reasoning is not (it would be cut off
/// again). Every question's outcome is reported to its judge (<see cref="EndpointChatClientExtensions.NoteAnswer"/>), so
/// a judge whose answers are never usable stops a batch job. A judge is any <see cref="IChatClient"/> that names its
/// endpoint (<see cref="EndpointChatClientExtensions.Endpoint"/>): the endpoint is part of every cache key.
/// </summary>
public sealed class JudgeEngine
{
    private readonly IReadOnlyList<IChatClient> _judges;
    private readonly EndpointSpec[] _endpoints;
    private readonly VerdictCache? _cache;
    private readonly JudgeOptions _options;
    // One object per judge: its scope in the cache's memory (engines with the same judge and options share one).
    private readonly object[] _cacheScopes;
    // Per judge, the parts of its verdicts' keys that do not change from one verdict to the next.
    private readonly string[][] _keySettings;
    // Every judge's settings together: with the content digest, a response's lease key (VerdictCache.ClaimAsync).
    private readonly string _leaseSettings;

    // The judges' own keys and OPENAI_API_KEY: a judge's answer or its server's error body can echo the key it was sent,
    // and a reason is written to output files, reward answers and the cache. Masked where reasons are made, so every
    // path that shows a verdict shows it masked.
    private readonly Io.SecretRedactor _secrets = Io.SecretRedactor.FromEnvironment();

    public JudgeEngine(IReadOnlyList<IChatClient> judges, VerdictCache? cache, JudgeOptions options)
    {
        if (judges.Count == 0) throw new ArgumentException("at least one judge", nameof(judges));
        _judges = judges;
        _endpoints = [.. judges.Select(j => j.Endpoint())];
        _cache = cache;
        _options = options.Validated();
        _keySettings = [.. _endpoints.Select(SettingsParts)];
        _cacheScopes = cache is null ? [] : [.. _keySettings.Select(parts => cache.ScopeFor(string.Join('\u001f', parts)))];
        _leaseSettings = string.Join('\u001e', _keySettings.Select(parts => string.Join('\u001f', parts)));
        foreach (var endpoint in _endpoints) _secrets.Add(endpoint.ApiKey);
    }

    public JudgeOptions Options => _options;

    /// <summary>What every judge of the ensemble has used so far: calls, retries, failures, tokens, cost.</summary>
    public Usage JudgeUsage() => Usage.Total(_judges);

    public async Task<JudgeResult> GradeAsync(string conversation, string response, IReadOnlyList<Criterion> criteria,
        CancellationToken cancellationToken = default)
    {
        // The conversation and response parts of the prompt are the same for every call about this response; they are
        // built (and hashed for the cache keys) once, and the prompt text only if some verdict is not cached.
        var preamble = new Lazy<string>(() => JudgePrompts.Preamble(conversation, response));
        // The digest keys the cache and, as the affinity key, sends every call about this response to one judge replica,
        // whose prefix cache then holds the conversation and response (docs/llm.md, "Replicas").
        var digest = new Lazy<string>(() => VerdictCacheKey.Of(conversation, response));
        var contentDigest = _cache is null ? "" : digest.Value;
        // votes[criterion, order]: every slot is written by exactly one task, so no locking is needed.
        var rounds = _judges.Count * _options.Votes;
        var votes = new Vote?[criteria.Count, rounds];
        var (pending, hits) = await KnownAsync(contentDigest, criteria, votes, count: true, cancellationToken).ConfigureAwait(false);
        var lease = await ClaimAsync(contentDigest, pending, votes, cancellationToken).ConfigureAwait(false);
        hits += lease.Served;
        try
        {
            return await JudgeAsync(preamble, digest, criteria, pending, votes, hits, cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            // After the verdicts judged under it were given to the store, which writes them before it lets the lease go.
            if (lease.Key is { } held) _cache!.Release(held);
        }
    }

    /// <summary>
    /// When the cache is shared by several processes (<see cref="VerdictCache.Leasing"/>) and some verdicts are missing,
    /// the response's lease: taken (KEY: release it after judging), or waited for — the verdicts another process stored
    /// meanwhile go into VOTES and leave PENDING (SERVED: how many).
    /// </summary>
    private async ValueTask<(string? Key, int Served)> ClaimAsync(string contentDigest, List<(int Index, VerdictLookup At)>[] pending, Vote?[,] votes,
        CancellationToken ct)
    {
        if (_cache is not { Leasing: true } || pending.All(p => p.Count == 0)) return (null, 0);
        var missing = new List<(int Order, int Index, VerdictLookup At)>();
        for (var order = 0; order < pending.Length; order++)
        {
            foreach (var (ci, at) in pending[order]) missing.Add((order, ci, at));
        }
        // One lease per response and judging settings: the criteria are not in it, so two rubrics of one response take turns.
        var key = VerdictCacheKey.Of("lease", _leaseSettings, contentDigest);
        var claim = await _cache.ClaimAsync(key, [.. missing.Select(m => m.At)], ct).ConfigureAwait(false);
        var served = 0;
        for (var i = 0; i < missing.Count; i++)
        {
            if (claim.Found[i] is not { } stored) continue;
            var (order, ci, _) = missing[i];
            votes[ci, order] = VoteOf(stored);
            pending[order].RemoveAll(p => p.Index == ci);
            served++;
        }
        return (claim.Held ? key : null, served);
    }

    private async Task<JudgeResult> JudgeAsync(Lazy<string> preamble, Lazy<string> digest, IReadOnlyList<Criterion> criteria,
        List<(int Index, VerdictLookup At)>[] pending, Vote?[,] votes,
        int hits, CancellationToken cancellationToken)
    {
        var rounds = _judges.Count * _options.Votes;
        var calls = 0;
        List<Task>? work = null;
        for (var order = 0; order < rounds; order++)
        {
            var judge = order / _options.Votes;
            var vote = order % _options.Votes;
            var round = order;
            foreach (var batch in Batches(pending[order]))
            {
                // Started in place rather than through Task.Run: each call runs up to its network wait on this
                // thread, which saves a thread-pool hop per call (measured: docs/benchmarks.md).
                (work ??= []).Add(AskBatch());

                async Task AskBatch()
                {
                    var (answers, made) = await AskAsync(judge, preamble.Value, digest.Value, [.. batch.Select(b => criteria[b.Index])], vote,
                        cancellationToken).ConfigureAwait(false);
                    Interlocked.Add(ref calls, made);
                    List<(VerdictLookup, CachedVerdict)>? fresh = null;
                    foreach (var (ci, at) in batch)
                    {
                        var answer = answers[criteria[ci].Id];
                        votes[ci, round] = answer;
                        if (answer.Met is { } met && _cache is not null)
                        {
                            (fresh ??= []).Add((at, new CachedVerdict(met ? StoredStatus.Met : StoredStatus.NotMet, answer.Level, answer.PYes, answer.Reason)));
                        }
                    }
                    // One call's verdicts are stored together (SQLite: one transaction; PostgreSQL: queued for its writer).
                    if (fresh is not null) _cache!.Put(fresh);
                }
            }
        }
        if (work is not null) await Task.WhenAll(work).ConfigureAwait(false);
        var verdicts = new Dictionary<string, Verdict>(criteria.Count, StringComparer.Ordinal);
        for (var ci = 0; ci < criteria.Count; ci++)
        {
            var list = new List<Vote>(rounds);
            for (var o = 0; o < rounds; o++) list.Add(votes[ci, o]!);
            verdicts[criteria[ci].Id] = VoteCounter.Decide(criteria[ci], list, _options.Ties);
        }
        // Injection is detected once per response by ResponseGrader, which owns the response's diagnostics.
        var diagnostics = new List<RewardDiagnostic>();
        return new JudgeResult(verdicts, diagnostics, calls, hits);
    }

    /// <summary>
    /// What grading this response would ask, without asking: per judge of the ensemble, the calls (after the cache),
    /// their prompt characters and their output budget. For dry runs and cost estimates; it reads the cache but
    /// changes nothing.
    /// </summary>
    public IReadOnlyList<JudgePlan> Plan(string conversation, string response, IReadOnlyList<Criterion> criteria)
    {
        var contentDigest = _cache is null ? "" : VerdictCacheKey.Of(conversation, response);
        // A plan is not on a request path: waiting here for the store (PostgreSQL) is fine, and keeps plans synchronous.
        var (pending, _) = KnownAsync(contentDigest, criteria, null, count: false, CancellationToken.None).AsTask().GetAwaiter().GetResult();
        var shared = JudgePrompts.System.Length + JudgePrompts.Preamble(conversation, response).Length;
        var plans = new List<JudgePlan>(_judges.Count);
        for (var j = 0; j < _judges.Count; j++)
        {
            int calls = 0, cachedVerdicts = 0;
            long characters = 0, budget = 0;
            for (var vote = 0; vote < _options.Votes; vote++)
            {
                var asked = pending[j * _options.Votes + vote];
                cachedVerdicts += criteria.Count - asked.Count;
                foreach (var batch in Batches(asked))
                {
                    calls++;
                    characters += shared + JudgePrompts.Criteria([.. batch.Select(b => criteria[b.Index])]).Length;
                    budget += _options.OutputBudget(batch.Length) + _endpoints[j].Request.ReasoningTokens;
                }
            }
            plans.Add(new JudgePlan(_endpoints[j], calls, characters, budget, cachedVerdicts));
        }
        return plans;
    }

    /// <summary>
    /// The verdicts already known for a response, per (judge, vote) round (order = judge × votes + vote): from the
    /// cache's memory (no hashing), then — all of the response's other keys together, in one store round trip — from
    /// its store. Known verdicts go into VOTES (when given); the rest come back per round, in criterion order, with
    /// where they will be stored. COUNT: a grading (hits and misses counted, found verdicts remembered) or a plan.
    /// </summary>
    private async ValueTask<(List<(int Index, VerdictLookup At)>[] Pending, int Hits)> KnownAsync(
        string contentDigest, IReadOnlyList<Criterion> criteria, Vote?[,]? votes, bool count, CancellationToken ct)
    {
        var rounds = _judges.Count * _options.Votes;
        var pending = new List<(int Index, VerdictLookup At)>[rounds];
        var hits = 0;
        List<(int Order, int Index, VerdictLookup At)>? cold = null;
        for (var order = 0; order < rounds; order++)
        {
            pending[order] = new List<(int, VerdictLookup)>(_cache is null ? criteria.Count : 0);
            var judge = order / _options.Votes;
            var vote = order % _options.Votes;
            for (var ci = 0; ci < criteria.Count; ci++)
            {
                if (_cache is null)
                {
                    pending[order].Add((ci, default));
                    continue;
                }
                var warm = new WarmKey(_cacheScopes[judge], contentDigest, criteria[ci], vote);
                if (_cache.TryRecall(warm, out var known, count))
                {
                    hits++;
                    votes?[ci, order] = VoteOf(known);
                }
                else
                {
                    (cold ??= []).Add((order, ci, new VerdictLookup(warm, Key(judge, contentDigest, criteria[ci], vote))));
                }
            }
        }
        if (cold is null) return (pending, hits);
        var found = await _cache!.FindAsync([.. cold.Select(c => c.At)], count, ct).ConfigureAwait(false);
        for (var i = 0; i < cold.Count; i++)
        {
            var (order, ci, at) = cold[i];
            if (found[i] is { } stored)
            {
                hits++;
                votes?[ci, order] = VoteOf(stored);
            }
            else
            {
                pending[order].Add((ci, at));
            }
        }
        return (pending, hits);
    }

    private static Vote VoteOf(CachedVerdict stored) => new(stored.Status == StoredStatus.Met, stored.Level, stored.PYes, stored.Reason);

    private IEnumerable<T[]> Batches<T>(List<T> pending) => pending.Chunk(Math.Min(_options.Mode.BatchSize, Math.Max(1, pending.Count)));

    // contentDigest: the hash of the conversation and the response, computed once per response.
    private string Key(int judge, string contentDigest, Criterion c, int vote) =>
        VerdictCacheKey.Of([.. _keySettings[judge], contentDigest, c.Id, c.Text,
            c.Scale is null ? "" : string.Join(",", c.Scale.Levels.Select(l => $"{JudgeVerdictParser.Number(l.Value)}={l.Description}")),
            vote.ToString(System.Globalization.CultureInfo.InvariantCulture)]);

    // What in a verdict's key is fixed for one judge of this engine: the judge and the options that change its answer.
    private string[] SettingsParts(EndpointSpec judge) =>
        [judge.Identity, JudgeVerdictParser.Number(_options.EffectiveTemperature),
            _options.MaxTokensPerCriterion.ToString(System.Globalization.CultureInfo.InvariantCulture),
            _options.Logprobs ? "logprobs" : "-", JudgePrompts.Version, judge.Request.CacheText, _options.Mode.Name];

    /// <summary>One call (plus at most one repair call, asked afresh once) for a batch of criteria; every criterion gets a vote.</summary>
    private async Task<(Dictionary<string, Vote> Answers, int Calls)> AskAsync(int judgeIndex, string preamble, string affinityKey,
        IReadOnlyList<Criterion> batch, int vote, CancellationToken ct)
    {
        var judge = _judges[judgeIndex];
        var messages = new List<ChatMessage>
        {
            new(ChatRole.System, JudgePrompts.System),
            new(ChatRole.User, preamble + JudgePrompts.Criteria(batch)),
        };
        var options = new ChatOptions
        {
            Temperature = (float)_options.EffectiveTemperature,
            Seed = vote,
            // The endpoint's reasoning allowance is added to this by its client.
            MaxOutputTokens = _options.OutputBudget(batch.Count),
            ResponseFormat = JudgeSchema.Format(batch),
        };
        options.AdditionalProperties = new AdditionalPropertiesDictionary { [ChatOptionKeys.AffinityKey] = affinityKey };
        if (_options.Logprobs) options.AdditionalProperties[ChatOptionKeys.TopLogprobs] = 2;
        var calls = 0;
        ChatResponse answer;
        VerdictExtraction read;
        try
        {
            var attempt = 0;
            while (true)
            {
                var conversationSoFar = new List<ChatMessage>(messages);
                answer = await judge.GetResponseAsync(conversationSoFar, options, ct).ConfigureAwait(false);
                calls++;
                read = Read(answer, batch);
                if (!read.Complete && !read.CutOffWhileReasoning)
                {
                    conversationSoFar.Add(new ChatMessage(ChatRole.Assistant, answer.Text));
                    conversationSoFar.Add(new ChatMessage(ChatRole.User, JudgePrompts.Repair(read.Summary()!)));
                    answer = await judge.GetResponseAsync(conversationSoFar, options, ct).ConfigureAwait(false);
                    calls++;
                    read = Read(answer, batch);
                }
                // A garbled answer is usually transient (a truncated or corrupted reply), so after a failed repair the
                // question is asked afresh, up to FreshAttempts times in all; an answer cut off while reasoning would
                // only be cut off again.
                if (read.Complete || read.CutOffWhileReasoning || ++attempt >= FreshAttempts) break;
            }
        }
        catch (LlmCallException ex)
        {
            return (batch.ToDictionary(c => c.Id, _ => Vote.Failed(_secrets.Redact($"judge error: {ex.Message}"))), calls);
        }
        var logprobs = answer.AdditionalProperties?.TryGetValue(ChatOptionKeys.Logprobs, out var lp) == true ? lp as IReadOnlyList<TokenLogprob> : null;
        var votes = batch.ToDictionary(c => c.Id, c => read.Verdicts.TryGetValue(c.Id, out var p)
            ? new Vote(p.Met, p.Level, JudgeVerdictParser.PYes(logprobs, answer.Text, p.MetOffset), _secrets.RedactOrNull(p.Reason))
            : Vote.Failed(_secrets.Redact(Reason(_endpoints[judgeIndex], answer, read, c, batch.Count))));
        // Throws EndpointUnusableException, which stops a batch job, once the judge has answered unusably often enough.
        judge.NoteAnswer(read.Verdicts.Count > 0, read.Verdicts.Count > 0 ? null : $"{read.Summary()}: {JudgeVerdictParser.Clip(answer.Text.Trim(), 200)}");
        return (votes, calls);
    }

    /// <summary>How many times a question whose answer stays unusable after a repair is asked in all.</summary>
    public const int FreshAttempts = 2;

    private static VerdictExtraction Read(ChatResponse answer, IReadOnlyList<Criterion> batch) =>
        VerdictExtractor.Extract(answer.Text, batch, answer.FinishReason == ChatFinishReason.Length, ReasoningOf(answer));

    /// <summary>The reasoning the server returned beside the answer (reasoning_content), never part of its text.</summary>
    internal static string? ReasoningOf(ChatResponse answer)
    {
        string? found = null;
        foreach (var m in answer.Messages)
        {
            foreach (var r in m.Contents.OfType<TextReasoningContent>()) found = found is null ? r.Text : found + r.Text;
        }
        return found;
    }

    // Why CRITERION has no verdict from the last answer: what went wrong, then the answer clipped (reasoning only as
    // a clipped tail).
    private string Reason(EndpointSpec judge, ChatResponse answer, VerdictExtraction read, Criterion criterion, int batchSize)
    {
        var reasoningAllowance = judge.Request.ReasoningTokens;
        var budget = _options.OutputBudget(batchSize) + reasoningAllowance;
        var shown = JudgeVerdictParser.ClipAnswer(answer.Text);
        if (ReasoningOf(answer) is { Length: > 0 } reasoning) shown += $" (reasoning, last 200 characters: " +
            $"…{reasoning[^Math.Min(200, reasoning.Length)..].Trim()})";
        if (read.CutOffWhileReasoning)
        {
            return $"cut off while reasoning: raise the reasoning budget (reasoning_tokens in the endpoints file, or --reasoning-tokens; " +
                $"this call allowed {budget} output tokens, {reasoningAllowance} of them for reasoning): {shown}";
        }
        if (answer.FinishReason == ChatFinishReason.Length)
        {
            return $"judge answer cut off at its output budget of {budget} tokens, after one repair (raise the budget per criterion, " +
                $"--max-tokens-per-criterion): {shown}";
        }
        if (read.AnswerProblem is { } whole) return $"unparsable judge output after one repair: {whole}; answer: {shown}";
        return $"no usable verdict for {criterion.Id} after one repair: {read.ProblemFor(criterion.Id)}; answer: {shown}";
    }
}
