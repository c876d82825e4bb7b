using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Tailmark.Llm;
using Tailmark.Server.Reward;
using Tailmark.Sim.Server;
using Tailmark.Sim;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Server;

/// <summary>
/// The per-request caps of the reward server: the item cap, and the bound on work past a deadline — the audit's
/// 20,000-item request with a 1 s deadline, which kept grading every item and delayed the next request by 32–46 s.
/// Counted in judge calls, not timed.
/// </summary>
[Trait("Tier", "Integration")]
public sealed class RewardServerCapsTests
{
    private static readonly SimOptions World = new() { Seed = 13, Tasks = 4, JudgeErrorRate = 0 };

    private static async Task<(HttpStatusCode Status, JsonElement Json)> Post(HttpClient http, Uri url, JsonObject body)
    {
        using var response = await http.PostAsync(url, new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"));
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.Clone());
    }

    private static JsonObject Items(SimWorld world, int count, string tag) => new()
    {
        ["items"] = new JsonArray([.. Enumerable.Range(0, count).Select(i => (JsonNode)new JsonObject
        {
            ["prompt_id"] = world.Tasks[i % world.Tasks.Length].Id,
            ["response"] = $"You should {world.Tasks[i % world.Tasks.Length].Facets[0].Phrase}. {tag} {i}.", // all different: none coalesce
        })]),
    };

    [Fact]
    public async Task MoreItemsThanTheCap_Is413NamingTheOption_TheCapItselfIsServed()
    {
        await using var sim = await SimServer.StartAsync(new SimServerOptions { World = World });
        using var judge = SimFixtures.Judge(sim, new EndpointLimits { Concurrency = 64 });
        var (server, _) = await RewardServerFixture.StartAsync(sim, judge, new RewardServerOptions { MaxItemsPerRequest = 5 });
        await using var _ = server;
        using var http = new HttpClient();
        var url = new Uri(server.BaseUrl, "v1/reward");

        var (over, error) = await Post(http, url, Items(sim.World, 6, "over"));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, over);
        Assert.Equal("items", error.GetProperty("field").GetString());
        Assert.Equal("items: 6 items, more than the limit of 5 per request (serve --max-items)", error.GetProperty("error").GetString());
        Assert.Equal(0, sim.Service.Stats.Snapshot().Requests); // refused before any grading

        var (at, answer) = await Post(http, url, Items(sim.World, 5, "at"));
        Assert.Equal(HttpStatusCode.OK, at);
        Assert.Equal(5, answer.GetProperty("rewards").EnumerateArray().Count(r => r.ValueKind == JsonValueKind.Number));

        JsonArray Six(string text) => [.. Enumerable.Range(0, 6).Select(_ => (JsonNode?)text)];
        var openRlhf = new JsonObject { ["query"] = Six("q a"), ["prompts"] = Six("q"), ["labels"] = Six("") };
        var (overOpenRlhf, errorOpenRlhf) = await Post(http, new Uri(server.BaseUrl, "get_reward"), openRlhf);
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, overOpenRlhf);
        Assert.StartsWith("query: 6 items, more than the limit of 5", errorOpenRlhf.GetProperty("error").GetString());
    }

    [Fact]
    public async Task AHugeRequestPastItsDeadline_ShedsWhatItHadNotStarted_SoTheNextRequestIsNotQueuedBehindIt()
    {
        // A judge that takes a while per call (two slots), and eight grading slots: 20,000 items cannot be graded in 1 s.
        await using var sim = await SimServer.StartAsync(new SimServerOptions
        {
            World = World,
            Capacity = CapacitySpec.Parse("slots=2,prefill_tps=1000000,decode_tps=2000"),
        });
        using var judge = SimFixtures.Judge(sim, new EndpointLimits { Concurrency = 64 });
        const int Slots = 8;
        var (server, _) = await RewardServerFixture.StartAsync(sim, judge, new RewardServerOptions { GradingSlots = Slots });
        await using var _ = server;
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        var url = new Uri(server.BaseUrl, "v1/reward");

        var big = Items(sim.World, 20_000, "big");
        big["deadline_ms"] = 1000;
        var (bigStatus, bigAnswer) = await Post(http, url, big);
        Assert.Equal(HttpStatusCode.OK, bigStatus);
        var results = bigAnswer.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(20_000, results.Count);
        var graded = results.Count(r => r.GetProperty("graded").GetBoolean());
        Assert.All(results.Where(r => !r.GetProperty("graded").GetBoolean()), r => Assert.Equal("deadline", r.GetProperty("ungraded").GetString()));
        Assert.True(graded < 20_000 - Slots, $"{graded} graded: the judge was meant to be too slow for the whole request");

        var (smallStatus, smallAnswer) = await Post(http, url, Items(sim.World, 1, "small"));
        Assert.Equal(HttpStatusCode.OK, smallStatus);
        Assert.True(smallAnswer.GetProperty("results")[0].GetProperty("graded").GetBoolean());
        // One judge call per item (all-at-once mode): by the time the next request is answered, the judge has been asked
        // for the big request's finished items, at most the slots' worth that were being graded at its deadline, and
        // the small one — not for the thousands the big request had not started.
        var asked = sim.Service.Stats.Snapshot().Requests;
        Assert.InRange(asked, graded + 1, graded + Slots + 1);

        for (var i = 0; i < 600 && await GradingNow(http, server) > 0; i++) await Task.Delay(50);
        Assert.Equal(0, await GradingNow(http, server));
        Assert.InRange(sim.Service.Stats.Snapshot().Requests, graded + 1, graded + Slots + 1); // and nothing more afterwards
    }

    /// <summary>Items holding a grading slot now, from <c>/metrics</c>.</summary>
    private static async Task<double> GradingNow(HttpClient http, RewardServer server) =>
        double.Parse(Regex.Match(await http.GetStringAsync(new Uri(server.BaseUrl, "metrics")), @"^tailmark_items_grading(?:\{\})? (\S+)$",
            RegexOptions.Multiline).Groups[1].Value,
            System.Globalization.CultureInfo.InvariantCulture);
}
