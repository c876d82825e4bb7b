using Tailmark.Io;
using Tailmark.Llm;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Llm;

public sealed class EndpointSpecTests
{
    [Fact]
    public void Parse_EachForm_GivesKindUrlAndModel()
    {
        var sim = EndpointSpecParser.Parse("sim", "sim-judge");
        Assert.Equal((EndpointKind.Sim, "sim-judge"), (sim.Kind, sim.Model));
        Assert.Equal("sim-proposer", EndpointSpecParser.Parse("sim:sim-proposer", "sim-judge").Model);
        var http = EndpointSpecParser.Parse("http://127.0.0.1:8000/v1#Qwen/Qwen3-8B", "sim-judge");
        Assert.Equal((EndpointKind.Http, "Qwen/Qwen3-8B", "http://127.0.0.1:8000/v1"), (http.Kind, http.Model, http.BaseUrl!.ToString()));
        Assert.Equal("http://127.0.0.1:8000/v1#Qwen/Qwen3-8B", http.Identity);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8000/v1", "name the model after '#'")]
    [InlineData("sim:", "needs a model name")]
    [InlineData("gpt-4o", "is not an endpoint spec")]
    public void Parse_BadSpec_SaysWhatIsMissing(string text, string message) =>
        Assert.Contains(message, Assert.Throws<FormatException>(() => EndpointSpecParser.Parse(text, "sim-judge")).Message);

    [Fact]
    public void Config_NamedEndpoint_CarriesLimitsAndPrices()
    {
        using var dir = new TempDir();
        var path = dir.Write("endpoints.yaml", """
            endpoints:
              local:
                url: http://127.0.0.1:9000/v1
                model: my-judge
                concurrency: 8
                rpm: 120
                timeout_s: 5
                price: { prompt: 1.0, cached_prompt: 0.5, completion: 2.0 }
            """);
        var spec = EndpointSpecParser.Parse("local", "sim-judge", EndpointConfig.Load(path));
        Assert.Equal((EndpointKind.Http, "my-judge", 8, 120), (spec.Kind, spec.Model, spec.Limits.Concurrency, spec.Limits.RequestsPerMinute));
        Assert.Equal(TimeSpan.FromSeconds(5), spec.Limits.Timeout);
        // 1,000,000 prompt tokens of which 400,000 cached, 100,000 completion: 0.6 + 0.2 + 0.2 dollars.
        Assert.Equal(1.0, spec.Prices.Cost(1_000_000, 400_000, 100_000), 9);
    }

    [Fact]
    public void Parse_SeveralUrls_AreReplicasOfOneModel()
    {
        var spec = EndpointSpecParser.Parse("http://10.0.0.1:8000/v1,http://10.0.0.2:8000/v1#Qwen/Qwen3-8B", "sim-judge");
        Assert.Equal(["http://10.0.0.1:8000/v1", "http://10.0.0.2:8000/v1"], spec.Replicas.Select(u => u.ToString()));
        Assert.Equal("http://10.0.0.1:8000/v1", spec.BaseUrl!.ToString());
        Assert.True(spec.Routing.Affinity);
        Assert.StartsWith("replicas:", spec.Identity, StringComparison.Ordinal);
        Assert.Contains("listed twice", Assert.Throws<FormatException>(() => EndpointSpecParser.Parse("http://a:1/v1,http://a:1/v1#m", "j")).Message);
        Assert.Contains("'ftp://b/v1' is not an http(s) URL",
            Assert.Throws<FormatException>(() => EndpointSpecParser.Parse("http://a:1/v1,ftp://b/v1#m", "j")).Message);
    }

    [Fact]
    public void Config_Urls_GiveReplicasWithTheirRouting_AndAStableIdentity()
    {
        using var dir = new TempDir();
        var path = dir.Write("endpoints.yaml", """
            endpoints:
              judges:
                urls: [http://10.0.0.1:8000/v1, http://10.0.0.2:8000/v1, http://10.0.0.3:8000/v1]
                model: my-judge
                affinity: false
                eject_after: 5
                eject_s: 2.5
            """);
        var spec = EndpointSpecParser.Parse("judges", "sim-judge", EndpointConfig.Load(path));
        Assert.Equal(3, spec.Replicas.Count);
        Assert.Equal((false, 5, TimeSpan.FromSeconds(2.5)), (spec.Routing.Affinity, spec.Routing.EjectAfter, spec.Routing.EjectFor));
        // The same endpoint with a replica fewer keeps its verdicts.
        var fewer = dir.Write("fewer.yaml", "endpoints:\n  judges:\n    urls: [http://10.0.0.1:8000/v1, http://10.0.0.2:8000/v1]\n    model: my-judge\n");
        Assert.Equal(spec.Identity, EndpointSpecParser.Parse("judges", "sim-judge", EndpointConfig.Load(fewer)).Identity);
    }

    [Fact]
    public void Config_BadUrls_AreReportedWithTheirLines()
    {
        using var dir = new TempDir();
        var path = dir.Write("endpoints.yaml",
            "endpoints:\n  both:\n    url: http://a:1/v1\n    urls: [http://b:1/v1]\n    model: m\n" +
            "  twice:\n    urls: [http://a:1/v1, http://a:1/v1]\n    model: m\n" +
            "  empty:\n    urls: []\n    model: m\n" +
            "  odd:\n    urls: [http://a:1/v1]\n    model: m\n    eject_after: 0\n");
        var ex = Assert.Throws<InputException>(() => EndpointConfig.Load(path));
        Assert.Contains(ex.Issues, i => i.Line == 4 && i.Field == "endpoints.both.urls" && i.Message.Contains("not both", StringComparison.Ordinal));
        Assert.Contains(ex.Issues, i => i.Field == "endpoints.twice.urls[1]" && i.Message.Contains("listed twice", StringComparison.Ordinal));
        Assert.Contains(ex.Issues, i => i.Line == 10 && i.Field == "endpoints.empty.urls" && i.Message.Contains("no URL", StringComparison.Ordinal));
        Assert.Contains(ex.Issues, i => i.Line == 15 && i.Field == "endpoints.odd.eject_after");
    }

    [Fact]
    public void Config_BadField_IsReportedWithItsLine()
    {
        using var dir = new TempDir();
        var path = dir.Write("endpoints.yaml", "endpoints:\n  bad:\n    url: ftp://x\n    model: m\n  worse:\n    model: m\n");
        var ex = Assert.Throws<InputException>(() => EndpointConfig.Load(path));
        Assert.Contains(ex.Issues, i => i.Line == 3 && i.Field == "endpoints.bad.url");
        Assert.Contains(ex.Issues, i => i.Line == 5 && i.Field == "endpoints.worse.url" && i.Message.Contains("missing", StringComparison.Ordinal));
    }

    [Fact]
    public void Config_RequestOptions_AreReadAndChecked_AndApplyOnlyToUnnamedSpecs()
    {
        using var dir = new TempDir();
        var path = dir.Write("endpoints.yaml", """
            endpoints:
              thinker:
                url: http://127.0.0.1:9000/v1
                model: qwen3
                structured_output: json_object
                reasoning_effort: high
                reasoning_tokens: 4096
              plain:
                url: http://127.0.0.1:9000/v1
                model: llama
            """);
        var config = EndpointConfig.Load(path);
        var cli = new EndpointRequestOptions { StructuredOutput = StructuredOutputMode.None, ReasoningTokens = 7 };
        var thinker = EndpointSpecParser.Parse("thinker", "sim-judge", config, request: cli).Request;
        Assert.Equal((StructuredOutputMode.JsonObject, "high", 4096), (thinker.StructuredOutput, thinker.ReasoningEffort, thinker.ReasoningTokens));
        Assert.Equal(EndpointRequestOptions.Default, EndpointSpecParser.Parse("plain", "sim-judge", config, request: cli).Request);
        Assert.Equal(cli, EndpointSpecParser.Parse("http://127.0.0.1:9000/v1#x", "sim-judge", config, request: cli).Request);
        Assert.Equal("JsonObject|high|4096", thinker.CacheText);

        var bad = dir.Write("bad.yaml",
            "endpoints:\n  j:\n    url: http://x/v1\n    model: m\n    structured_output: xml\n    reasoning_tokens: -5\n    reasoning_effort: very high\n");
        var ex = Assert.Throws<InputException>(() => EndpointConfig.Load(bad));
        Assert.Contains(ex.Issues, i => i.Line == 5 && i.Field == "endpoints.j.structured_output"
            && i.Message.Contains("expected auto, json_schema, json_object or none", StringComparison.Ordinal));
        Assert.Contains(ex.Issues, i => i.Line == 6 && i.Field == "endpoints.j.reasoning_tokens"
            && i.Message.Contains("between 0 and", StringComparison.Ordinal));
        Assert.Contains(ex.Issues, i => i.Line == 7 && i.Field == "endpoints.j.reasoning_effort");
    }
}
