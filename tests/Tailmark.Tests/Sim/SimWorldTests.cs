using Tailmark.Sim;

namespace Tailmark.Tests.Sim;

public sealed class SimWorldTests
{
    [Fact]
    public void Tasks_SameSeed_AreTheSameWhateverTheCount()
    {
        var small = new SimWorld(11, 5);
        var large = new SimWorld(11, 50);
        Assert.Equal(small.Tasks.Select(t => (t.Prompt, string.Join("|", t.Facets.Select(f => f.Phrase)))),
            large.Tasks.Take(5).Select(t => (t.Prompt, string.Join("|", t.Facets.Select(f => f.Phrase)))));
        Assert.NotEqual(small.Tasks[0].Prompt + small.Tasks[0].Facets[0].Phrase,
            new SimWorld(12, 5).Tasks[0].Prompt + new SimWorld(12, 5).Tasks[0].Facets[0].Phrase);
    }

    [Fact]
    public void Task_HasTieredFacetsWithUniqueObjects()
    {
        var task = new SimWorld(3, 1).Tasks[0];
        Assert.Equal(4, task.Facets.Count(f => f.Tier == FacetTier.Basic));
        Assert.Equal(3, task.Facets.Count(f => f.Tier == FacetTier.Advanced));
        Assert.Equal(2, task.Facets.Count(f => f.Tier == FacetTier.Tail));
        Assert.Equal(2, task.Facets.Count(f => f.Tier == FacetTier.Error));
        Assert.Equal(task.Facets.Length, task.Facets.Select(f => f.Object).Distinct().Count());
        Assert.Equal(4 * 1 + 3 * 2 + 2 * 3, task.PositiveMass);
    }

    [Fact]
    public void Gold_HandWrittenResponse_CountsFacetPhrasesOnly()
    {
        var task = new SimWorld(3, 1).Tasks[0];
        var basic = task.Facets.First(f => f.Tier == FacetTier.Basic);
        var advanced = task.Facets.First(f => f.Tier == FacetTier.Advanced);
        var error = task.Facets.First(f => f.Tier == FacetTier.Error);
        var text = $"What a great question! You should {basic.Phrase.ToUpperInvariant()}. Also {advanced.Phrase}, and {error.Phrase}. " +
            "I hope this comprehensive answer covers everything you need.";
        // (1 + 2 − 2) / 16: praise and self-praise are worth nothing; case does not matter.
        Assert.Equal(1.0 / 16, SimWorld.Gold(task, text), 12);
        Assert.Equal(0, SimWorld.Gold(task, "Nothing relevant here."));
    }

    [Fact]
    public void Generators_GreatBeatsGoodInTheTail_AndDiverseModelsDisagree()
    {
        // The check: 200 tasks, 16 responses from each generator.
        var world = new SimWorld(5, 200);
        var greatWins = 0;
        var coverage = new Dictionary<string, HashSet<string>>();
        foreach (var task in world.Tasks)
        {
            double Best(string model) =>
                Enumerable.Range(0, 16).Max(i => SimWorld.Gold(task, SimGenerators.Write(SimGenerators.Find(model)!, task, world.Seed, $"-/{i}")));
            if (Best("sim-great") > Best("sim-good")) greatWins++;
            for (var d = 1; d <= 6; d++)
            {
                var model = $"sim-diverse-{d}";
                var set = coverage.TryGetValue(model, out var s) ? s : coverage[model] = [];
                var text = SimGenerators.Write(SimGenerators.Find(model)!, task, world.Seed, "-/0");
                foreach (var f in SimWorld.FacetsIn(task, text)) set.Add($"{task.Id}/{f.Id}");
            }
        }
        Assert.True(greatWins > 140, $"sim-great's best beat sim-good's best on {greatWins} of 200 tasks");
        // Every pair of diverse models covers clearly different facets (Jaccard similarity well below 1).
        var models = coverage.Keys.Order().ToList();
        foreach (var a in models)
        {
            foreach (var b in models.Where(m => string.CompareOrdinal(m, a) > 0))
            {
                var jaccard = (double)coverage[a].Intersect(coverage[b]).Count() / coverage[a].Union(coverage[b]).Count();
                Assert.True(jaccard < 0.75, $"{a} and {b} overlap {jaccard:F2}");
            }
        }
    }

    [Theory]
    [InlineData("slots=8,prefill_tps=1000,decode_tps=100,prefix_cache=off", 8, 1000, 100, false)]
    [InlineData("slots=64", 64, 20000, 2000, true)]
    public void CapacitySpec_Parses(string spec, int slots, double prefill, double decode, bool cache)
    {
        var c = CapacitySpec.Parse(spec);
        Assert.Equal((slots, prefill, decode, cache), (c.Slots, c.PrefillTokensPerSecond, c.DecodeTokensPerSecond, c.PrefixCache));
        // 1000 prompt tokens of which 200 cached, 50 completion tokens: 800/prefill + 50/decode seconds.
        Assert.Equal(800 / prefill + 50 / decode, c.ServiceTime(1000, 200, 50).TotalSeconds, 6);
    }

    [Theory]
    [InlineData("slots=0")]
    [InlineData("speed=fast")]
    [InlineData("prefix_cache=maybe")]
    public void CapacitySpec_BadValue_NamesIt(string spec) =>
        Assert.Throws<FormatException>(() => CapacitySpec.Parse(spec));

    [Fact]
    public void FaultSpec_RatesAboveOne_AreRejected() =>
        Assert.Throws<FormatException>(() => FaultSpec.Parse("429=0.7,5xx=0.5"));

    [Fact]
    public void PrefixCache_RepeatedPrefix_IsCachedInWholeBlocks()
    {
        var cache = new PrefixCache();
        var shared = Enumerable.Range(0, 40).Select(i => $"w{i}").ToList();
        Assert.Equal(0, cache.Admit([.. shared, "a", "b"]));
        // 40 shared tokens = two whole 16-token blocks (32 tokens) cached; the third block differs.
        Assert.Equal(32, cache.Admit([.. shared, "c", "d"]));
        Assert.Equal(0, cache.Admit(["x", .. shared]));
    }
}
