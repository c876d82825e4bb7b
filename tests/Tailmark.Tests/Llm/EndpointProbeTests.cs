using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Tailmark.Judging;
using Tailmark.Llm;
using Tailmark.Rubrics;
using Tailmark.Scoring;
using Tailmark.Sim.Server;
using Tailmark.Sim;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Llm;

/// <summary>The check made before a long job: a wrong URL or key stops it; an unlisted model is a warning.</summary>
public sealed class EndpointProbeTests
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(30);

    private static EndpointSpec Http(string url, string model, string? key = null) =>
        EndpointSpecParser.Parse($"{url}#{model}", "sim-judge") with { ApiKey = key };

    [Fact]
    public async Task Check_NothingListening_ThrowsNamingTheUrl()
    {
        var port = LoopbackPort.Closed();
        var ex = await Assert.ThrowsAsync<EndpointUnusableException>(() =>
            EndpointProbe.CheckAsync(Http($"http://127.0.0.1:{port}/v1", "m"), Patience, default));
        Assert.Contains($"cannot reach http://127.0.0.1:{port}/v1", ex.Message);
    }

    [Trait("Tier", "Integration")]
    [Fact]
    public async Task Check_ListedModel_IsSilent_UnlistedModel_WarnsWithTheList()
    {
        await using var sim = await SimServer.StartAsync(new SimServerOptions { World = new SimOptions { Tasks = 2 } });
        Assert.Null(await EndpointProbe.CheckAsync(Http(sim.BaseUrl.ToString(), "sim-judge"), Patience, default));
        var warning = await EndpointProbe.CheckAsync(Http(sim.BaseUrl.ToString(), "no-such-model"), Patience, default);
        Assert.NotNull(warning);
        Assert.Contains("'no-such-model' is not among those", warning);
        // The list the server gave, so the user can pick: its first ids, and how many there are when it is long.
        using var http = new HttpClient();
        using var models = System.Text.Json.JsonDocument.Parse(await http.GetStringAsync(new Uri(sim.BaseUrl + "/models")));
        var ids = models.RootElement.GetProperty("data").EnumerateArray().Select(m => m.GetProperty("id").GetString()!).ToList();
        Assert.Contains($"({string.Join(", ", ids.Take(3))}", warning);
        if (ids.Count > 10) Assert.Contains($"({ids.Count} in all)", warning);
    }

    [Trait("Tier", "Integration")]
    [Theory]
    [InlineData(null, "none was sent")]
    [InlineData("wrong-key", "check the key")]
    public async Task Check_KeyRefused_ThrowsSayingWhatToDo(string? key, string advice)
    {
        // A stand-in for a provider that wants a key: answers 401 unless the key is "right-key".
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        app.MapGet("/v1/models", (HttpContext c) => c.Request.Headers.Authorization == "Bearer right-key"
            ? Results.Json(new { data = new[] { new { id = "m" } } })
            : Results.StatusCode(401));
        await app.StartAsync();
        var url = app.Urls.Single().Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/v1";
        var ex = await Assert.ThrowsAsync<EndpointUnusableException>(() => EndpointProbe.CheckAsync(Http(url, "m", key), Patience, default));
        Assert.Contains("refused the API key (HTTP 401)", ex.Message);
        Assert.Contains(advice, ex.Message);
        Assert.Null(await EndpointProbe.CheckAsync(Http(url, "m", "right-key"), Patience, default));
    }

    [Fact]
    public async Task Judge_ServerGoneAfterTheCheck_VerdictsAreCannotAssessAsNetworkErrors()
    {
        var port = LoopbackPort.Closed();
        var spec = EndpointSpecParser.Parse($"http://127.0.0.1:{port}/v1#m", "sim-judge",
            limits: new EndpointLimits { MaxRetries = 1, BaseDelay = TimeSpan.Zero, MaxDelay = TimeSpan.Zero });
        using var judge = EndpointClient.Create(spec);
        var criteria = new[] { new Criterion { Id = "c1", Text = "The response is kind.", Weight = 1 } };
        var result = await new JudgeEngine([judge], null, new JudgeOptions()).GradeAsync("Hi", "Hello.", criteria);
        var verdict = result.Verdicts["c1"];
        Assert.Equal(VerdictStatus.CannotAssess, verdict.Status);
        Assert.StartsWith($"judge error: http://127.0.0.1:{port}/v1#m: network error: ", verdict.Reason);
        Assert.Equal((1, 1), (judge.UsageSoFar().Retries, judge.UsageSoFar().Failures));
    }

    [Fact]
    public async Task FailFast_AfterTheLimitWithNoAnswer_CallsThrowEndpointUnusable()
    {
        var port = LoopbackPort.Closed();
        var spec = EndpointSpecParser.Parse($"http://127.0.0.1:{port}/v1#m", "sim-judge", limits: new EndpointLimits { MaxRetries = 0 });
        using var judge = EndpointClient.Create(spec, new EndpointClientOptions { FailFastAfter = 3 });
        Task Ask() => judge.GetResponseAsync([new Microsoft.Extensions.AI.ChatMessage(Microsoft.Extensions.AI.ChatRole.User, "hi")]);
        await Assert.ThrowsAsync<LlmCallException>(Ask);
        await Assert.ThrowsAsync<LlmCallException>(Ask);
        var third = await Assert.ThrowsAsync<EndpointUnusableException>(Ask); // the third failure reaches the limit
        Assert.Contains("the first 3 calls all failed and none succeeded (the last: network error: ", third.Message);
        await Assert.ThrowsAsync<EndpointUnusableException>(Ask); // and no further call is attempted
        Assert.Equal(3, judge.UsageSoFar().Failures);
    }

    [Fact]
    public void FailuresWithoutAnyCall_IsZeroOnceACallHasSucceeded()
    {
        var meter = new UsageMeter(PriceTable.Free);
        meter.Failure();
        meter.Failure();
        Assert.Equal(2, meter.FailuresWithoutAnyCall);
        meter.Call(10, 0, 5);
        meter.Failure();
        Assert.Equal(0, meter.FailuresWithoutAnyCall);
        Assert.Equal(3, meter.Snapshot().Failures);
    }
}
