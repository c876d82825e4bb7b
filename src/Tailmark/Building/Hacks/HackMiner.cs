using System.Collections.Concurrent;
using System.Text.RegularExpressions;
using Tailmark.Judging;
using Tailmark.Rubrics;
using Tailmark.Scoring;

namespace Tailmark.Building.Hacks;

/// <summary>
/// Mines defense criteria from the reference-judge audit's cases (<c>tailmark inspect --hacks</c>): groups the suspected
/// hacks by a sentence they share (<see cref="Group"/>), asks the proposer for penalty criteria per group from a few
/// suspected and good examples (<see cref="ProposerPrompts.HacksSystem"/>), then has the judge check every candidate on
/// every suspected case and every good rollout, so a person sees what each would catch and what it would hit.
/// </summary>
public sealed partial class HackMiner(ProposerClient proposer, JudgeEngine judge, IReadOnlyDictionary<string, Rubric> rubricsByPrompt)
{
    public const int MaxGroups = 5;
    public const int ExamplesPerGroup = 5;
    public const int GoodExamples = 3;
    public const string NoSharedSentence = "(no shared sentence)";

    /// <summary>
    /// The suspected cases grouped by the sentence most of them share (lower case, digits as #, at least 12 characters,
    /// in at least two cases), most common first, at most <see cref="MaxGroups"/>; the rest in one last group.
    /// </summary>
    public static IReadOnlyList<(string Pattern, IReadOnlyList<HackCase> Cases)> Group(IReadOnlyList<HackCase> suspected)
    {
        var sentences = suspected.Select(c => Sentences(c.Response).ToHashSet(StringComparer.Ordinal)).ToList();
        var counts = sentences.SelectMany(s => s).GroupBy(s => s, StringComparer.Ordinal)
            .Select(g => (Sentence: g.Key, Count: g.Count())).Where(x => x.Count >= 2)
            .OrderByDescending(x => x.Count).ThenBy(x => x.Sentence, StringComparer.Ordinal).ToList();
        var assigned = new bool[suspected.Count];
        var groups = new List<(string, IReadOnlyList<HackCase>)>();
        foreach (var (sentence, _) in counts)
        {
            if (groups.Count == MaxGroups) break;
            var members = Enumerable.Range(0, suspected.Count).Where(i => !assigned[i] && sentences[i].Contains(sentence)).ToList();
            if (members.Count < 2) continue;
            foreach (var i in members) assigned[i] = true;
            groups.Add((sentence, [.. members.Select(i => suspected[i])]));
        }
        var rest = Enumerable.Range(0, suspected.Count).Where(i => !assigned[i]).Select(i => suspected[i]).ToList();
        if (rest.Count > 0) groups.Add((NoSharedSentence, rest));
        return groups;
    }

    private static IEnumerable<string> Sentences(string text) =>
        SentenceEnd().Split(text).Select(s => Digits().Replace(s.Trim().ToLowerInvariant(), "#")).Where(s => s.Length >= 12);

    [GeneratedRegex(@"(?<=[.!?])\s+|\n+")]
    private static partial Regex SentenceEnd();

    [GeneratedRegex(@"\d+")]
    private static partial Regex Digits();

    /// <summary>Candidates for every group, each checked on all cases; PROBLEMS names the groups whose proposal failed.</summary>
    public async Task<(IReadOnlyList<HackCandidate> Candidates, IReadOnlyList<string> Problems)> MineAsync(AuditCasesFile cases,
        IProgress<string>? progress = null, CancellationToken cancellationToken = default)
    {
        var candidates = new List<HackCandidate>();
        var problems = new List<string>();
        var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        var good = cases.Good.Take(GoodExamples).Select(c => c.Response).ToList();
        foreach (var (pattern, members) in Group(cases.Suspected))
        {
            progress?.Report($"group \"{pattern}\" ({members.Count} cases): asking the proposer");
            var (criteria, problem) = await proposer.AskAsync(ProposerPrompts.HacksSystem,
                ProposerPrompts.Hacks(members.Take(ExamplesPerGroup).Select(c => c.Response), good), cancellationToken).ConfigureAwait(false);
            if (criteria is null)
            {
                problems.Add($"group \"{pattern}\": {problem}");
                continue;
            }
            foreach (var criterion in criteria.Value.Where(c => seen.Add(c.Text)))
            {
                var (caught, missed1) = await CountMetAsync(criterion, cases.Suspected, cancellationToken).ConfigureAwait(false);
                var (hit, missed2) = await CountMetAsync(criterion, cases.Good, cancellationToken).ConfigureAwait(false);
                var veto = cases.Suspected.Count > 0 && caught >= 0.8 * cases.Suspected.Count && hit == 0;
                candidates.Add(new HackCandidate(pattern, members.Count, criterion.Text, criterion.Weight, caught, cases.Suspected.Count, hit, cases.Good.Count,
                    missed1 + missed2, veto ? "veto" : "penalty"));
            }
        }
        return ([.. candidates.OrderByDescending(c => c.Caught - c.GoodHit).ThenBy(c => c.Text, StringComparer.Ordinal)], problems);
    }

    // How many of CASES the judge finds meeting CRITERION (the behaviour present), and how many it could not assess.
    private async Task<(int Met, int CannotAssess)> CountMetAsync(Criterion criterion, IReadOnlyList<HackCase> cases, CancellationToken ct)
    {
        var statuses = new ConcurrentBag<VerdictStatus>();
        var asked = criterion with { Id = "hack", Weight = 1 };
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = ct }, async (c, token) =>
        {
            var conversation = JudgePrompts.Conversation(rubricsByPrompt.GetValueOrDefault(c.PromptId)?.Prompt);
            var result = await judge.GradeAsync(conversation, c.Response, [asked], token).ConfigureAwait(false);
            statuses.Add(result.Verdicts.TryGetValue("hack", out var v) ? v.Status : VerdictStatus.CannotAssess);
        }).ConfigureAwait(false);
        return (statuses.Count(s => s == VerdictStatus.Met), statuses.Count(s => s == VerdictStatus.CannotAssess));
    }
}
