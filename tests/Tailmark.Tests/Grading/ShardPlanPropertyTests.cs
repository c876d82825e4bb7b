using FsCheck;
using FsCheck.Fluent;
using Tailmark.Grading.Sharding;

namespace Tailmark.Tests.Grading;

/// <summary>Properties of the partition of a sharded grading job over random inputs (FsCheck).</summary>
public sealed class ShardPlanPropertyTests
{
    private static readonly int[] Counts = [1, 2, 3, 5, 8, 13];

    // Rows of up to 12 prompts (some rows unreadable: no prompt) with weights 0..20, on lines 1..n in order.
    private static Gen<List<ShardRow>> Inputs() =>
        from n in Gen.Choose(0, 60)
        from prompts in Gen.ListOf(Gen.Choose(-1, 11), n)
        from weights in Gen.ListOf(Gen.Choose(0, 20), n)
        select prompts.Select((p, i) => new ShardRow(p < 0 ? null : $"q{p}", i + 1, weights[i])).ToList();

    [Fact]
    public void EveryRow_LandsInExactlyOnePart_AndAPromptsRowsTogether()
    {
        Prop.ForAll(Inputs().ToArbitrary(), rows =>
        {
            foreach (var count in Counts)
            {
                var plan = ShardPlan.Build(rows, count);
                var parts = rows.Select(r => plan.PartOf(r.PromptId, r.Line)).ToList();
                // One part each, in range; the parts' row counts are the rows owned; the parts' weights sum to the input's.
                if (parts.Any(p => p < 1 || p > count)) return false;
                if (!Enumerable.Range(1, count).Select(i => parts.Count(p => p == i)).SequenceEqual(plan.Rows)) return false;
                if (plan.Weights.Sum() != rows.Where(r => r.PromptId is not null).Sum(r => (long)r.Weight)) return false;
                if (rows.Zip(parts).Where(x => x.First.PromptId is not null).GroupBy(x => x.First.PromptId).Any(g =>
                    g.Select(x => x.Second).Distinct().Count() > 1)) return false;
            }
            return true;
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Plan_DoesNotDependOnTheRowOrder()
    {
        Prop.ForAll(Inputs().ToArbitrary(), Gen.Choose(0, 1000).ToArbitrary(), (rows, seed) =>
        {
            // The same rows, shuffled (each keeps its line): the same part for every row.
            var shuffled = rows.OrderBy(r => (r.Line * 7919 + seed) % 1009).ToList();
            return Counts.All(count =>
            {
                var a = ShardPlan.Build(rows, count);
                var b = ShardPlan.Build(shuffled, count);
                return rows.All(r => a.PartOf(r.PromptId, r.Line) == b.PartOf(r.PromptId, r.Line));
            });
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void HeaviestPart_IsWithinOnePromptOfTheMean()
    {
        // Greedy dealing to the lightest part bounds the heaviest by the mean plus the heaviest single prompt (Graham).
        Prop.ForAll(Inputs().ToArbitrary(), rows =>
        {
            var promptWeights = rows.Where(r => r.PromptId is not null).GroupBy(r => r.PromptId).Select(g =>
                g.Sum(r => (long)r.Weight)).DefaultIfEmpty(0).ToList();
            return Counts.All(count =>
            {
                var plan = ShardPlan.Build(rows, count);
                return plan.Weights.Max() <= (double)promptWeights.Sum() / count + promptWeights.Max();
            });
        }).QuickCheckThrowOnFailure();
    }

    [Fact]
    public void Plan_DealsHeaviestFirst_ToTheLightestPart()
    {
        // Weights 7, 5, 4, 3, 1 over two parts, by hand: a(7) → 1 [7, 0]; b(5) → 2 [7, 5]; c(4) → 2 [7, 9]; d(3) → 1 [10, 9]; e(1) → 2 [10, 10].
        var rows = new[] { ("a", 7), ("b", 5), ("c", 4), ("d", 3), ("e", 1) }.Select((x, i) => new ShardRow(x.Item1, i + 1, x.Item2)).ToList();
        var plan = ShardPlan.Build(rows, 2);
        Assert.Equal([1, 2, 2, 1, 2], rows.Select(r => plan.PartOf(r.PromptId, r.Line)));
        Assert.Equal([10L, 10L], plan.Weights);
        // Unreadable rows go by line: line 1 → part 1, line 2 → part 2, line 3 → part 1.
        Assert.Equal([1, 2, 1], new[] { 1, 2, 3 }.Select(line => plan.PartOf(null, line)));
    }
}
