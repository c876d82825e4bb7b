using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tailmark.Building.Online;
using Tailmark.Rubrics;
using Tailmark.Sim;
using Tailmark.Tests.Server;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Cli;

/// <summary>
/// <c>tailmark serve --refine-online</c> as a user runs it: the flags reach the refiner, a version is swapped in and
/// written to --refine-dir, and a restarted server goes on with it.
/// </summary>
[Trait("Tier", "Integration")]
public sealed class ServeRefineOnlineTests
{
    [Fact]
    public async Task ServeRefinesOnline_WritesTheVersions_AndARestartServesThem()
    {
        using var dir = new TempDir();
        var task = new SimWorld(23, 1).Tasks[0];
        var rubrics = dir.File("rubrics.jsonl");
        File.WriteAllText(rubrics, RubricJsonWriter.ToJson(OnlineRefinementTests.Served(task)) + "\n");
        string[] args = ["--rubrics", rubrics, "--sim-seed", "23", "--sim-tasks", "1", "--mode", "all", "--cache", dir.File("cache.sqlite"),
            "--refine-online", "--refine-dir", dir.File("online"), "--refine-cooldown", "8", "--refine-budget", "2"];
        using var http = new HttpClient();
        int version;
        using (var serve = new ServeProcess(args))
        {
            Assert.StartsWith("Refining online with sim (cooldown 8 rollouts, budget 2)", serve.Process.StandardOutput.ReadLine());
            JsonElement status = default;
            for (var round = 0; round < 4; round++)
            {
                for (var r = 0; r < 4; r++)
                {
                    var items = new JsonArray([.. Enumerable.Range(r * 8, 8).Select(i =>
                        (JsonNode)new JsonObject { ["prompt_id"] = task.Id, ["response"] = OnlineRefinementTests.Rollout(task, i) })]);
                    (await http.PostAsJsonAsync(new Uri(serve.Url, "v1/reward"), new JsonObject { ["items"] = items })).EnsureSuccessStatusCode();
                }
                for (var wait = 0; wait < 500; wait++)
                {
                    status = JsonDocument.Parse(await http.GetStringAsync(new Uri(serve.Url, "v1/refine"))).RootElement.Clone();
                    if (status.GetProperty("running").GetInt32() == 0) break;
                    await Task.Delay(20);
                }
                Assert.True(status.GetProperty("running").GetInt32() == 0, "a refinement was still running after 10 s");
                if (status.GetProperty("accepted").GetInt32() > 0) break;
            }
            var accepted = status.GetProperty("accepted").GetInt32();
            Assert.InRange(accepted, 1, 2); // the budget is 2
            var served = JsonDocument.Parse(await http.GetStringAsync(new Uri(serve.Url, $"v1/rubrics/{task.Id}"))).RootElement;
            version = served.GetProperty("version").GetInt32();
            Assert.Equal(1 + accepted, version);
            // The reward names the version and the judge's model.
            var reward = await http.PostAsJsonAsync(new Uri(serve.Url, "v1/reward"), new JsonObject
                { ["items"] = new JsonArray(new JsonObject { ["prompt_id"] = task.Id, ["response"] = OnlineRefinementTests.Rollout(task, 1) }) });
            var provenance = JsonDocument.Parse(await reward.Content.ReadAsStringAsync()).RootElement.GetProperty("results")[0]
                .GetProperty("provenance");
            Assert.Equal((version, "sim-judge"), (provenance.GetProperty("rubric_version").GetInt32(), provenance.GetProperty("judge").GetString()));
        }
        var lines = File.ReadAllLines(Path.Combine(dir.File("online"), RubricVersionLog.FileName));
        Assert.Contains(lines, l =>
            l.Contains("\"kind\":\"version\"", StringComparison.Ordinal) && l.Contains($"\"version\":{version}", StringComparison.Ordinal));

        using var again = new ServeProcess(args);
        var history = JsonDocument.Parse(await http.GetStringAsync(new Uri(again.Url, $"v1/rubrics/{task.Id}/history"))).RootElement;
        Assert.Equal(version, history.GetProperty("active_version").GetInt32());
        Assert.Equal(lines.Length, history.GetProperty("events").GetArrayLength());
    }
}
