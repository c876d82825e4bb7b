using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tailmark.Llm;
using Tailmark.Server.Reward;
using Tailmark.Sim.Server;
using Tailmark.Sim;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Server;

/// <summary>
/// A judge that served well and then died: /health must say so. Before, <c>judge_failing</c> looked only at whether the
/// judge had ever answered, so after one good answer a dead judge left /health "ok" while every reward was undefined.
/// </summary>
[Trait("Tier", "Integration")]
public sealed class RewardServerJudgeDiesTests
{
    [Fact]
    public async Task JudgeDiesAfterServing_HealthIsDegradedByItsRecentFailures_AndOkAgainOnceItIsBack()
    {
        var simOptions = new SimServerOptions { World = new SimOptions { Seed = 13, Tasks = 2, JudgeErrorRate = 0 } };
        var sim = await SimServer.StartAsync(simOptions);
        var port = sim.BaseUrl.Port;
        using var judge = SimFixtures.Judge(sim, new EndpointLimits { Timeout = TimeSpan.FromSeconds(5), MaxRetries = 0 });
        var (server, _) = await RewardServerFixture.StartAsync(sim, judge);
        await using var _ = server;
        using var http = new HttpClient();
        var task = sim.World.Tasks[0];
        async Task Reward(int count, string tag)
        {
            var body = new JsonObject
            {
                ["items"] = new JsonArray([.. Enumerable.Range(0, count).Select(i =>
                    (JsonNode)new JsonObject { ["prompt_id"] = task.Id, ["response"] = $"{tag} answer {i}." })]),
            };
            var response = await http.PostAsync(new Uri(server.BaseUrl, "v1/reward"),
                new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        }
        async Task<JsonElement> Health() => JsonDocument.Parse(await http.GetStringAsync(new Uri(server.BaseUrl, "health"))).RootElement.Clone();

        await Reward(3, "before"); // one all-at-once call per item: 3 answered
        Assert.Equal("ok", (await Health()).GetProperty("status").GetString());

        await sim.DisposeAsync();
        await Reward(12, "during"); // 12 calls fail (no retries)
        Assert.Equal(12, judge.UsageSoFar().Failures);
        var health = await Health();
        Assert.Equal("degraded", health.GetProperty("status").GetString());
        var reason = Assert.Single(health.GetProperty("reasons").EnumerateArray());
        Assert.Equal("judge_failing", reason.GetProperty("code").GetString());
        Assert.StartsWith("12 of the judge's latest 15 calls failed", reason.GetProperty("message").GetString());

        await using var back = await SimServer.StartAsync(simOptions, port);
        await Reward(30, "after"); // 12 failed of the latest 45: under half
        Assert.Equal("ok", (await Health()).GetProperty("status").GetString());
    }
}
