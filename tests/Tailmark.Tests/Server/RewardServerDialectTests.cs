using System.Net.Http.Json;
using System.Text.Json;
using Tailmark.Llm;
using Tailmark.Sim.Server;
using Tailmark.Sim;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Server;

/// <summary>The reward server judged by a simulated judge that answers like served models (`mixed`): the same rewards as a clean judge.</summary>
[Trait("Tier", "Integration")]
public sealed class RewardServerDialectTests
{
    private static async Task<List<string>> Rewards(string dialect)
    {
        await using var sim = await SimServer.StartAsync(new SimServerOptions { World = new SimOptions { Seed = 13, Tasks = 4,
            Dialects = SimOptions.ParseDialects(dialect) } });
        using var judge = SimFixtures.Judge(sim, new EndpointLimits { Concurrency = 32 });
        var (server, _) = await RewardServerFixture.StartAsync(sim, judge);
        await using var _ = server;
        using var http = new HttpClient();
        var items = SimFixtures.Responses(sim.World, 3).Select(r => new { prompt_id = r.PromptId, response = r.Response }).ToArray();
        using var response = await http.PostAsJsonAsync(new Uri(server.BaseUrl, "v1/reward"), new { items });
        var json = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(0, judge.UsageSoFar().UnusableAnswers);
        return [.. json.GetProperty("rewards").EnumerateArray().Select(r => r.GetRawText())];
    }

    [Fact]
    public async Task Serve_MixedJudge_GivesTheCleanRewards()
    {
        var clean = await Rewards("clean");
        Assert.Equal(12, clean.Count);
        Assert.DoesNotContain("null", clean);
        Assert.True(clean.Distinct().Count() > 3, "rewards that tell responses apart");
        Assert.Equal(clean, await Rewards("mixed"));
    }
}
