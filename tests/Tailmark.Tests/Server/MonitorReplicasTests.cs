using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tailmark.Server.Reward;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Server;

/// <summary>
/// The monitor over replicas, on real reward servers on 127.0.0.1 sharing one simulated judge: rollouts split between
/// two replicas, merged through <c>/v1/monitor?replicas=all</c> and through <c>tailmark monitor</c>, against a third
/// server that was given every rollout. A replica that does not answer is named and the merge marked partial.
/// </summary>
[Trait("Tier", "Integration")]
[Collection(nameof(InProcessCliCollection))]
public sealed class MonitorReplicasTests : SimJudgeTests
{
    private const string Token = "monitor-secret";

    [Fact]
    public async Task TwoReplicasMonitors_Merged_AreTheMonitorOfOneServerGivenEveryRollout()
    {
        var dead = new Uri($"http://127.0.0.1:{LoopbackPort.Free()}/");
        var (b, _) = await RewardServerFixture.StartAsync(Sim, Judge, new RewardServerOptions { Token = Token });
        await using var __ = b;
        var (a, _) = await RewardServerFixture.StartAsync(Sim, Judge, new RewardServerOptions { Token = Token, MonitorPeers = [b.BaseUrl, dead] });
        await using var ___ = a;
        var (whole, _) = await RewardServerFixture.StartAsync(Sim, Judge, new RewardServerOptions { Token = Token });
        await using var ____ = whole;
        using var http = new HttpClient();
        http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);

        // Two steps of eight rollouts for each of two prompts, dealt alternately to the replicas (as a balancer would).
        var items = (from task in Sim.World.Tasks.Take(2)
                     from step in new[] { 1, 2 }
                     from i in Enumerable.Range(0, 8)
                     select new JsonObject
                     {
                         ["prompt_id"] = task.Id,
                         ["step"] = step,
                         ["response"] = $"You should {task.Facets[0].Phrase}." + (i % 3 == 0 ? $" Also {task.Facets[1].Phrase}." : "") + $" Take {step}-{i}.",
                     }).ToList();
        await Post(http, a.BaseUrl, items.Where((_, i) => i % 2 == 0));
        await Post(http, b.BaseUrl, items.Where((_, i) => i % 2 == 1));
        await Post(http, whole.BaseUrl, items);
        var expected = await Monitor(http, whole.BaseUrl, "");
        var alone = await Monitor(http, a.BaseUrl, "");
        Assert.NotEqual(expected.GetProperty("prompts")[0].GetProperty("steps")[0].GetProperty("items").GetInt32(),
            alone.GetProperty("prompts")[0].GetProperty("steps")[0].GetProperty("items").GetInt32());

        // Through the replica's merging endpoint: itself, its live peer, and the dead one named.
        var merged = await Monitor(http, a.BaseUrl, "?replicas=all");
        JsonClose.Equal(expected.GetProperty("prompts"), merged.GetProperty("prompts"));
        var replicas = merged.GetProperty("replicas").EnumerateArray().ToList();
        Assert.Equal([true, true, false], replicas.Select(r => r.GetProperty("ok").GetBoolean()));
        Assert.Equal(dead.ToString(), replicas[2].GetProperty("url").GetString());
        Assert.True(merged.GetProperty("partial").GetBoolean());
        Assert.Equal(HttpStatusCode.BadRequest, (await http.GetAsync(new Uri(a.BaseUrl, "v1/monitor?replicas=some"))).StatusCode);

        // Through the command, with the token from a file: the two live replicas, complete.
        using var dir = new TempDir();
        var tokenFile = Path.Combine(dir.Path, "token");
        await File.WriteAllTextAsync(tokenFile, Token + "\n");
        var outPath = Path.Combine(dir.Path, "merged.json");
        // A's address twice (as a peer list that names the replica itself would): counted once, the second named a duplicate.
        var run = CliInProcess.Run(TimeSpan.FromMinutes(1), "monitor", a.BaseUrl.ToString(), b.BaseUrl.ToString(), a.BaseUrl.ToString(),
            "--token-file", tokenFile, "--out", outPath);
        Assert.Equal(0, run?.ExitCode);
        var fromCli = JsonDocument.Parse(await File.ReadAllTextAsync(outPath)).RootElement;
        JsonClose.Equal(expected.GetProperty("prompts"), fromCli.GetProperty("prompts"));
        Assert.False(fromCli.GetProperty("partial").GetBoolean());
        Assert.Equal(a.BaseUrl.ToString(), fromCli.GetProperty("replicas")[2].GetProperty("duplicate_of").GetString());
        Assert.False(fromCli.GetProperty("replicas")[1].TryGetProperty("duplicate_of", out _));
        Assert.Contains("merged the monitors of 2 of 2 replicas: 2 prompts", run!.Stderr);
        Assert.Contains("is the same server as", run.Stderr);

        // Without the token every replica refuses: an error, exit 1, nothing written.
        var refused = CliInProcess.Run(TimeSpan.FromMinutes(1), "monitor", a.BaseUrl.ToString(), dead.ToString(), "--out", Path.Combine(dir.Path, "none.json"));
        Assert.Equal(1, refused?.ExitCode);
        Assert.Contains("HTTP 401", refused!.Stderr);
        Assert.Contains("none of the 2 replicas answered", refused.Stderr);
        Assert.False(File.Exists(Path.Combine(dir.Path, "none.json")));
    }

    private static async Task Post(HttpClient http, Uri server, IEnumerable<JsonObject> items)
    {
        var body = new JsonObject { ["items"] = new JsonArray([.. items.Select(i => i.DeepClone())]) }.ToJsonString();
        using var response = await http.PostAsync(new Uri(server, "v1/reward"), new StringContent(body, Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    private static async Task<JsonElement> Monitor(HttpClient http, Uri server, string query) =>
        JsonDocument.Parse(await http.GetStringAsync(new Uri(server, "v1/monitor" + query))).RootElement;
}
