using System.Globalization;
using Spectre.Console;
using Tailmark.Io;
using Tailmark.Judging;
using Tailmark.Grading;

namespace Tailmark.Cli.Commands;

/// <summary>
/// <c>tailmark grade --dry-run</c>: reads and checks the input like a run, and reports what the run would ask each
/// judge — calls after the cache, estimated prompt tokens, the output budget — and the most it could cost, before
/// anything is sent. The estimate uses the judge prompts themselves (characters ÷ 4), not a guess at their size.
/// </summary>
internal static class GradeDryRun
{
    /// <param name="shard">The part of a sharded job to plan (its rows only, and their problems only); null for the whole input.</param>
    public static async Task<int> RunAsync(string responsesPath, RubricSet set, ResponseGrader grader, GradeShard? shard, CancellationToken ct)
    {
        var issues = new List<InputIssue>();
        var responses = 0;
        var withoutJudge = 0;
        // One total per judge of the ensemble, in its order; every response's plans come in that order.
        JudgePlan[]? perJudge = null;
        await foreach (var (row, _) in GradeShard.RowsAsync(shard, responsesPath, set, issues, ct))
        {
            if (row is null) continue;
            responses++;
            var item = set.ItemFor(row)!;
            var (plans, none) = grader.Plan(item.Rubric, item.Conversation, row.Response);
            withoutJudge += none;
            if (plans.Count == 0) continue;
            if (perJudge is null) perJudge = [.. plans];
            else for (var j = 0; j < plans.Count; j++) perJudge[j] = perJudge[j].Add(plans[j]);
        }
        CommandRunner.PrintIssues(issues);

        static string N(double v) => v.ToString("#,0", CultureInfo.InvariantCulture);
        var table = new Table().Border(TableBorder.Rounded).AddColumns("judge", "calls", "verdicts cached", "prompt tokens (est.)",
            "completion tokens (at most)", "cost (at most)");
        var cost = 0.0;
        foreach (var p in perJudge ?? [])
        {
            // The most it could cost: no prompt token served from a prefix cache, every output budget used up.
            var most = p.Judge.Prices.Cost(p.EstimatedPromptTokens, 0, p.MaxCompletionTokens);
            cost += most;
            table.AddRow(Markup.Escape(p.Judge.Name), N(p.Calls), N(p.CachedVerdicts), N(p.EstimatedPromptTokens), N(p.MaxCompletionTokens),
                most.ToString("$0.0000", CultureInfo.InvariantCulture));
        }
        CommandRunner.Out.Write(table);
        CommandRunner.Out.WriteLine($"dry run: {N(responses)} responses to grade, {N(withoutJudge)} verdicts need no judge (verifiable checks, detected " +
            $"injection); " +
            $"{N(perJudge?.Sum(p => p.Calls) ?? 0)} judge calls, at most {cost.ToString("$0.0000", CultureInfo.InvariantCulture)}; nothing was sent");
        return issues.Any(i => i.IsError) ? CommandRunner.Failed : CommandRunner.Ok;
    }
}
