using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tailmark.Sim;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Server;

/// <summary>
/// <c>tailmark serve</c> stopped by SIGTERM with requests in flight against a slow judge, through the real CLI process:
/// every accepted request is answered, then the process exits 0; past the drain time the unfinished items are
/// answered as ungraded ("stopping"), never dropped.
/// </summary>
[Trait("Tier", "Integration")]
public sealed class ServeStopTests
{
    /// <summary>serve over a simulated world's rubrics, all-at-once, with its own folder.</summary>
    private sealed class Serve : IDisposable
    {
        private readonly ServeProcess _serve;

        public Serve(params string[] extra)
        {
            var rubrics = Path.Combine(Dir.Path, "rubrics.jsonl");
            SimFixtures.WriteRubrics(rubrics, new SimWorld(13, 4));
            _serve = new ServeProcess(["--rubrics", rubrics, "--sim-seed", "13", "--sim-tasks", "4", "--mode", "all", "--cache",
                Path.Combine(Dir.Path, "cache.sqlite"), .. extra]);
        }

        public TempDir Dir { get; } = new();

        public Process Process => _serve.Process;

        public Uri Url => _serve.Url;

        public void Terminate() => _serve.Terminate();

        public void Dispose()
        {
            _serve.Dispose();
            Dir.Dispose();
        }
    }

    private static async Task<double> InFlight(HttpClient http, Uri url)
    {
        var text = await http.GetStringAsync(new Uri(url, "metrics"));
        return Scrape.Value(text, "tailmark_requests_in_flight") ?? throw new InvalidOperationException("no tailmark_requests_in_flight in /metrics:\n" + text);
    }

    private static List<Task<HttpResponseMessage>> Send(HttpClient http, Uri url, SimWorld world, int count) => [.. Enumerable.Range(0, count).Select(i =>
        http.PostAsync(new Uri(url, "v1/reward"), new StringContent(new JsonObject
        {
            ["items"] = new JsonArray(new JsonObject { ["prompt_id"] = world.Tasks[i % 4].Id,
                ["response"] = $"You should {world.Tasks[i % 4].Facets[0].Phrase}. Take {i}." }),
        }.ToJsonString(), Encoding.UTF8, "application/json")))];

    [Fact]
    public async Task Sigterm_WithRequestsInFlight_AnswersEveryOne_ThenExitsZero()
    {
        // One judge slot at 800 decode tokens per second: each all-at-once judge call takes a while, so requests queue in flight.
        using var serve = new Serve("--sim-capacity", "slots=1,prefill_tps=1000000,decode_tps=800");
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(3) };
        var world = new SimWorld(13, 4);
        var requests = Send(http, serve.Url, world, 6);
        while (await InFlight(http, serve.Url) < 6) await Task.Delay(50);
        serve.Terminate();
        var responses = await Task.WhenAll(requests);
        foreach (var r in responses)
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var json = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement;
            Assert.Equal(JsonValueKind.Number, json.GetProperty("rewards")[0].ValueKind); // graded, not cut off
        }
        Assert.True(serve.Process.WaitForExit(TimeSpan.FromMinutes(1)));
        Assert.Equal(0, serve.Process.ExitCode);
        Assert.Contains("stopping: answering the requests in flight", await serve.Process.StandardError.ReadToEndAsync());
    }

    [Fact]
    public async Task Sigterm_PastTheDrainTime_AnswersTheUnfinishedItemsAsStopping()
    {
        using var serve = new Serve("--sim-faults", "hang=1", "--drain-seconds", "1");
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(3) };
        var world = new SimWorld(13, 4);
        var requests = Send(http, serve.Url, world, 3);
        while (await InFlight(http, serve.Url) < 3) await Task.Delay(50);
        serve.Terminate();
        foreach (var r in await Task.WhenAll(requests))
        {
            Assert.Equal(HttpStatusCode.OK, r.StatusCode);
            var result = JsonDocument.Parse(await r.Content.ReadAsStringAsync()).RootElement.GetProperty("results")[0];
            Assert.Equal("stopping", result.GetProperty("ungraded").GetString());
            Assert.True(result.GetProperty("deadline_exceeded").GetBoolean());
        }
        Assert.True(serve.Process.WaitForExit(TimeSpan.FromMinutes(1)));
        Assert.Equal(0, serve.Process.ExitCode);
    }
}
