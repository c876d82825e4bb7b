using Tailmark.Building;
using Tailmark.Io;
using Tailmark.Llm;
using Tailmark.Rubrics;
using Tailmark.Sim.Server;
using Tailmark.Sim;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Building;

/// <summary>
/// Proposals written the way served models write them: every dialect gives the clean dialect's rubric through the
/// real HTTP path; the parser accepts each deviation on hand-written answers and refuses what is ambiguous.
/// </summary>
public sealed class ProposerDialectTests
{
    private static async Task<List<string>> ProposeAll(string dialect, string? structured = null)
    {
        await using var server = await SimServer.StartAsync(new SimServerOptions
        {
            World = new SimOptions { Seed = 5, Tasks = 8, Dialects = SimOptions.ParseDialects(dialect),
                StructuredOutputs = SimOptions.ParseStructuredOutputs(structured) },
        });
        using var client = SimFixtures.Judge(server, new EndpointLimits { Concurrency = 8 }, "sim-proposer");
        var proposer = new RubricProposer(new ProposerClient(client));
        var rubrics = new List<string>();
        foreach (var task in server.World.Tasks)
        {
            var (rubric, problem) = await proposer.ProposeAsync(new PromptRow(task.Id, PromptContent.FromText(task.Prompt), null, [], JsonMaps.Empty),
                withReference: false);
            rubrics.Add(problem is null ? string.Join(" | ", rubric.Criteria.Select(c => $"{c.Id}:{c.Weight}:{c.Text}")) : "failed: " + problem);
        }
        return rubrics;
    }

    [Trait("Tier", "Integration")]
    [Theory]
    [InlineData("fenced")]
    [InlineData("prose")]
    [InlineData("think")]
    [InlineData("reasoning-field")]
    [InlineData("keyed")]
    [InlineData("literal")]
    [InlineData("mixed")]
    public async Task Dialect_GivesTheCleanRubric(string dialect)
    {
        var clean = await ProposeAll("clean");
        Assert.DoesNotContain(clean, r => r.StartsWith("failed", StringComparison.Ordinal));
        Assert.Contains(clean, r => r.Contains(":-2:", StringComparison.Ordinal)); // pitfalls cross too
        Assert.Equal(clean, await ProposeAll(dialect));
        Assert.Equal(clean, await ProposeAll(dialect, "honour"));
    }

    [Trait("Tier", "Integration")]
    [Fact]
    public async Task Ambiguous_IsRefusedOrTheFinalRubric_NeverAnother()
    {
        var clean = await ProposeAll("clean");
        var got = await ProposeAll("ambiguous");
        Assert.All(clean.Zip(got), p =>
            Assert.True(p.Second == p.First
                || p.Second.StartsWith("failed: proposal unusable after one repair (two different rubrics", StringComparison.Ordinal), p.Second));
        Assert.Contains(clean.Zip(got), p => p.First == p.Second);
    }

    public static TheoryData<string, string> Accepted => new()
    {
        { "clean", """{"criteria": [{"text": "Says X.", "weight": 3}, {"text": "Claims Y.", "weight": -2}]}""" },
        { "fenced in prose", "Here you go:\n```json\n{\"criteria\": [{\"text\": \"Says X.\", \"weight\": 3}, {\"text\": \"Claims Y.\", \"weight\": " +
            "-2}]}\n```\nDone." },
        { "think with a draft", """<think>{"criteria": [{"text": "Draft.", "weight": 1}]}</think>{"criteria": [{"text": "Says X.", "weight": 3}, {"text": "Claims Y.", "weight": -2}]}""" },
        { "keyed by id", """{"criteria": {"c1": {"text": "Says X.", "weight": 3}, "c2": {"text": "Claims Y.", "weight": -2}}}""" },
        { "keyed at the top", """{"a": {"criterion": "Says X.", "weight": "3"}, "b": {"text": "Claims Y.", "weight": "-2"}}""" },
        { "a bare list", """[{"text": "Says X.", "weight": 3}, {"text": "Claims Y.", "weight": -2}]""" },
        { "Python with string weights and trailing commas", """{'criteria': [{'text': 'Says X.', 'weight': '+3',}, {'text': "Claims Y.", 'weight': -2.0,},]}""" },
    };

    [Theory]
    [MemberData(nameof(Accepted))]
    public void Parser_AcceptsEachDeviation(string name, string answer)
    {
        var criteria = ProposalParser.Parse(answer, out var problem);
        Assert.True(criteria is not null, $"{name}: {problem}");
        Assert.Equal(["c1:3:Says X.", "c2:-2:Claims Y."], criteria.Value.Select(c => $"{c.Id}:{c.Weight}:{c.Text}"));
        Assert.Equal(CriterionCategory.Pitfall, criteria.Value[1].Category);
    }

    [Theory]
    [InlineData("""{"criteria": [{"text": "Says X.", "weight": 3}]} or maybe {"criteria": [{"text": "Says Z.", "weight": 3}]}""", "two different rubrics in the answer")]
    [InlineData("""{"criteria": [{"text": "Says X.", "weight": "lots"}]}""", "weight \"lots\" is not a whole number")]
    [InlineData("""{"criteria": [{"text": "Says X.", "weight": 2.5}]}""", "weight 2.5 is not a whole number")]
    [InlineData("""{"criteria": [{"weight": 2}]}""", "a criterion without text")]
    [InlineData("""<think>{"criteria": [{"text": "Says X.", "weight": 3}]} and then I would add""", "the answer ends inside a reasoning block that was never closed")]
    [InlineData("Write clear criteria.", "no JSON object in the answer")]
    [InlineData("""{"rubric": "none"}""", "no \"criteria\" list")]
    public void Parser_RefusesWhatIsNotClear(string answer, string problem)
    {
        Assert.Null(ProposalParser.Parse(answer, out var why));
        Assert.StartsWith(problem, why);
    }
}
