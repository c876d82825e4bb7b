using System.Collections.Concurrent;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.AI;
using Tailmark.Judging;
using Tailmark.Llm;
using Tailmark.Rubrics;
using Tailmark.Scoring;
using Tailmark.Sim.Server;
using Tailmark.Sim;
using Tailmark.Storage;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Judging;

/// <summary>
/// The judge engine against simulated judges that answer the way served models do, through the real HTTP path: every
/// dialect gives the clean dialect's verdicts (none flipped, none lost), in every mode; ambiguous answers never
/// become a verdict; structured output falls back; reasoning is budgeted, reported when it runs out, and never cached.
/// </summary>
[Trait("Tier", "Integration")]
public sealed class JudgeDialectTests
{
    private static readonly EndpointLimits Fast = new()
        { Timeout = TimeSpan.FromSeconds(10), MaxRetries = 3, BaseDelay = TimeSpan.FromMilliseconds(5), MaxDelay = TimeSpan.FromMilliseconds(50),
            Concurrency = 64 };

    private static SimServerOptions Options(string dialect, string? structured = null) => new()
    {
        World = new SimOptions
        {
            Seed = 31, Tasks = 6, JudgeErrorRate = 0.1,
            Dialects = SimOptions.ParseDialects(dialect),
            StructuredOutputs = SimOptions.ParseStructuredOutputs(structured),
        },
    };

    // The facet criteria and one ordinal criterion (levels 0–2) about the first facet, so levels cross every dialect too.
    private static IReadOnlyList<Criterion> Criteria(SimTask task) =>
    [
        .. SimFixtures.RubricFor(task).Criteria,
        new Criterion
        {
            Id = "o1", Text = $"How well does the response cover {task.Facets[0].Object}?", Weight = 1,
            Scale = new CriterionScale([new ScaleLevel(0, "not at all"), new ScaleLevel(1, "partly"), new ScaleLevel(2, "fully")]),
        },
    ];

    private sealed record Run(string Flat, int Calls, int Verdicts, int CannotAssess, IReadOnlyList<string> Reasons);

    private static async Task<Run> GradeAll(SimServer server, JudgeOptions options, EndpointSpec? spec = null, VerdictCache? cache = null)
    {
        spec ??= new EndpointSpec("sim:sim-judge", EndpointKind.Sim, server.BaseUrl, "sim-judge", null, Fast, PriceTable.Free);
        using var judge = EndpointClient.Create(spec);
        var engine = new JudgeEngine([judge], cache, options);
        var lines = new List<string>();
        var reasons = new List<string>();
        int calls = 0, verdicts = 0, cannot = 0;
        foreach (var row in SimFixtures.Responses(server.World, 2))
        {
            var task = server.World.TaskById(row.PromptId)!;
            var r = await engine.GradeAsync(task.Prompt, row.Response, Criteria(task));
            calls += r.Calls;
            verdicts += r.Verdicts.Count;
            cannot += r.Verdicts.Values.Count(v => v.Status == VerdictStatus.CannotAssess);
            reasons.AddRange(r.Verdicts.Values.Where(v => v.Status == VerdictStatus.CannotAssess).Select(v => v.Reason!));
            lines.Add($"{row.PromptId}/{row.ResponseId}: " + string.Join(",",
                r.Verdicts.OrderBy(v => v.Key, StringComparer.Ordinal).Select(v => $"{v.Key}={v.Value.Status}:{v.Value.Level}")));
        }
        return new Run(string.Join("\n", lines), calls, verdicts, cannot, reasons);
    }

    public static TheoryData<string, string> DialectsAndModes()
    {
        var data = new TheoryData<string, string>();
        foreach (var dialect in new[] { "fenced", "prose", "think", "reasoning-field", "keyed", "literal", "mixed" })
        {
            foreach (var mode in new[] { "per-criterion", "batched:4", "all" }) data.Add(dialect, mode);
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(DialectsAndModes))]
    public async Task Dialect_GivesTheCleanVerdicts_NoneFlippedNoneLost_NoRepairs(string dialect, string mode)
    {
        var options = new JudgeOptions { Mode = JudgeMode.Parse(mode) };
        await using var clean = await SimServer.StartAsync(Options("clean"));
        var expected = await GradeAll(clean, options);
        await using var served = await SimServer.StartAsync(Options(dialect));
        var got = await GradeAll(served, options);
        Assert.Equal(0, expected.CannotAssess);
        Assert.Equal(0, got.CannotAssess);
        Assert.Equal(expected.Flat, got.Flat); // every status and level the same: 0 flipped
        Assert.Equal(expected.Calls, got.Calls); // every answer read the first time: no repair call
        Assert.Contains("=Met:", got.Flat, StringComparison.Ordinal);
        Assert.Contains("=NotMet:", got.Flat, StringComparison.Ordinal);
        Assert.Matches("o1=(Met|NotMet):[02]", got.Flat);
    }

    [Fact]
    public async Task Dialect_UnderConstrainedDecoding_GivesTheCleanVerdictsToo()
    {
        var options = new JudgeOptions { Mode = JudgeMode.Parse("batched:4") };
        await using var clean = await SimServer.StartAsync(Options("clean"));
        await using var honoured = await SimServer.StartAsync(Options("mixed", "honour"));
        Assert.Equal((await GradeAll(clean, options)).Flat, (await GradeAll(honoured, options)).Flat);

        // What the server sends back: clean JSON as content, the reasoning in its own field.
        using var http = new ChatHttp(honoured.BaseUrl);
        var task = honoured.World.Tasks[0];
        var body = ChatHttp.Body("sim-judge", JudgePrompts.User(task.Prompt, "Some answer.", SimFixtures.RubricFor(task).Criteria.Take(2)), extra: b =>
            b["response_format"] = System.Text.Json.Nodes.JsonNode.Parse("""{"type": "json_schema", "json_schema": {"name": "verdicts", "schema": {"type": "object"}}}"""));
        await using var thinking = await SimServer.StartAsync(Options("think", "honour"));
        using var thinkingHttp = new ChatHttp(thinking.BaseUrl);
        var (status, json, _) = await thinkingHttp.PostAsync(body);
        Assert.Equal(200, status);
        var message = json.GetProperty("choices")[0].GetProperty("message");
        Assert.StartsWith("{\"verdicts\": [", message.GetProperty("content").GetString());
        var field = message.TryGetProperty("reasoning_content", out var rc) ? rc : message.GetProperty("reasoning");
        Assert.StartsWith(SimDialectWriterOpening, field.GetString());
    }

    private const string SimDialectWriterOpening = "Working through the criteria one at a time.";

    [Theory]
    [InlineData("per-criterion")]
    [InlineData("all")]
    public async Task AmbiguousAnswers_AreNeverAVerdict_TheFinalObjectIsRead(string mode)
    {
        var options = new JudgeOptions { Mode = JudgeMode.Parse(mode) };
        await using var clean = await SimServer.StartAsync(Options("clean"));
        var expected = (await GradeAll(clean, options)).Flat.Split('\n');
        await using var ambiguous = await SimServer.StartAsync(Options("ambiguous"));
        var got = await GradeAll(ambiguous, options);
        var flipped = 0;
        var matched = 0;
        foreach (var (e, g) in expected.Zip(got.Flat.Split('\n')))
        {
            var eVerdicts = e[(e.IndexOf(": ", StringComparison.Ordinal) + 2)..].Split(',');
            var gVerdicts = g[(g.IndexOf(": ", StringComparison.Ordinal) + 2)..].Split(',');
            foreach (var (ev, gv) in eVerdicts.Zip(gVerdicts))
            {
                if (gv.Contains("=CannotAssess", StringComparison.Ordinal)) continue;
                if (ev == gv) matched++;
                else flipped++;
            }
        }
        Assert.Equal(0, flipped); // a verdict read from an ambiguous judge is always the one it meant
        Assert.True(matched > 0, "the draft-in-reasoning answers give the final object's verdicts");
        Assert.True(got.CannotAssess > 0, "disagreeing objects and unasked ids leave criteria without a verdict");
        Assert.All(got.Reasons, r => Assert.Matches("two different answers for|which was not asked", r));
        Assert.True(got.Calls > (await GradeAll(clean, options)).Calls, "unusable answers were repaired and asked afresh");
    }

    [Fact]
    public async Task StructuredOutput_Auto_FallsBackOnce_AndSaysSo()
    {
        await using var server = await SimServer.StartAsync(Options("clean", "sim-judge=json-object-only"));
        var notices = new ConcurrentQueue<string>();
        var spec = new EndpointSpec("sim:sim-judge", EndpointKind.Sim, server.BaseUrl, "sim-judge", null, Fast, PriceTable.Free);
        using var judge = EndpointClient.Create(spec, new EndpointClientOptions { Notice = notices.Enqueue });
        var structured = judge.GetService<StructuredOutputChatClient>()!;
        var engine = new JudgeEngine([judge], null, new JudgeOptions { Mode = JudgeMode.AllAtOnce });
        var task = server.World.Tasks[0];
        var first = await engine.GradeAsync(task.Prompt, "Some answer.", Criteria(task));
        Assert.All(first.Verdicts.Values, v => Assert.NotEqual(VerdictStatus.CannotAssess, v.Status));
        Assert.Equal(StructuredOutputMode.JsonObject, structured.StructuredOutputNow);
        Assert.Equal(1, server.Service.Stats.Snapshot().RefusedResponseFormats);
        var notice = Assert.Single(notices);
        Assert.StartsWith("sim:sim-judge: the server refused response_format json_schema (HTTP 400: response_format json_schema is not supported", notice);
        Assert.Contains("asks it for json_object", notice);
        // Remembered for the run: no call is refused again.
        await engine.GradeAsync(server.World.Tasks[1].Prompt, "Another answer.", Criteria(server.World.Tasks[1]));
        Assert.Equal(1, server.Service.Stats.Snapshot().RefusedResponseFormats);
        Assert.Equal(0, judge.UsageSoFar().Failures);
    }

    [Fact]
    public async Task StructuredOutput_Auto_AgainstAServerThatRefusesAnyFormat_EndsAtPlainText()
    {
        await using var server = await SimServer.StartAsync(Options("mixed", "reject"));
        var notices = new ConcurrentQueue<string>();
        var spec = new EndpointSpec("j", EndpointKind.Sim, server.BaseUrl, "sim-judge", null, Fast, PriceTable.Free);
        using var judge = EndpointClient.Create(spec, new EndpointClientOptions { Notice = notices.Enqueue });
        var structured = judge.GetService<StructuredOutputChatClient>()!;
        var task = server.World.Tasks[0];
        var result = await new JudgeEngine([judge], null, new JudgeOptions { Mode = JudgeMode.AllAtOnce }).GradeAsync(task.Prompt, "Some answer.",
            Criteria(task));
        Assert.All(result.Verdicts.Values, v => Assert.NotEqual(VerdictStatus.CannotAssess, v.Status));
        Assert.Equal(StructuredOutputMode.None, structured.StructuredOutputNow);
        Assert.Equal(2, notices.Count);
        Assert.Contains("asks it for no response_format", notices.Last());
    }

    [Fact]
    public async Task StructuredOutput_Explicit_IsNotChanged_ARefusalIsAJudgeError()
    {
        await using var server = await SimServer.StartAsync(Options("clean", "json-object-only"));
        var spec = new EndpointSpec("j", EndpointKind.Sim, server.BaseUrl, "sim-judge", null, Fast, PriceTable.Free)
        {
            Request = new EndpointRequestOptions { StructuredOutput = StructuredOutputMode.JsonSchema },
        };
        var task = server.World.Tasks[0];
        using var judge = EndpointClient.Create(spec);
        var result = await new JudgeEngine([judge], null, new JudgeOptions()).GradeAsync(task.Prompt, "Some answer.", Criteria(task).Take(2).ToList());
        Assert.All(result.Verdicts.Values, v => Assert.StartsWith("judge error: j: HTTP 400", v.Reason));
        // json_object, or none, against the same server: answered.
        foreach (var mode in new[] { StructuredOutputMode.JsonObject, StructuredOutputMode.None })
        {
            var other = spec with { Request = new EndpointRequestOptions { StructuredOutput = mode } };
            using var client = EndpointClient.Create(other);
            var ok = await new JudgeEngine([client], null, new JudgeOptions()).GradeAsync(task.Prompt, "Some answer.", Criteria(task).Take(2).ToList());
            Assert.All(ok.Verdicts.Values, v => Assert.NotEqual(VerdictStatus.CannotAssess, v.Status));
        }
    }

    [Theory]
    [InlineData("reasoning-field")]
    [InlineData("think")]
    public async Task Reasoning_CutOffByTheBudget_SaysSo_AndAnAllowanceFixesIt(string dialect)
    {
        await using var server = await SimServer.StartAsync(Options(dialect));
        var task = server.World.Tasks[0];
        var criteria = Criteria(task).Take(3).ToList();
        // High effort: about 240 reasoning tokens per criterion, more than the default budget of 64 + 160 per criterion.
        var spec = new EndpointSpec("j", EndpointKind.Sim, server.BaseUrl, "sim-judge", null, Fast, PriceTable.Free)
        {
            Request = new EndpointRequestOptions { ReasoningEffort = "high" },
        };
        using (var judge = EndpointClient.Create(spec))
        {
            var cut = await new JudgeEngine([judge], null, new JudgeOptions()).GradeAsync(task.Prompt, "Some answer.", criteria);
            Assert.All(cut.Verdicts.Values, v =>
            {
                Assert.Equal(VerdictStatus.CannotAssess, v.Status);
                Assert.StartsWith("cut off while reasoning: raise the reasoning budget (reasoning_tokens in the endpoints file, or --reasoning-tokens; this " +
                    "call allowed 224 output tokens, 0 of them for reasoning): ", v.Reason);
                Assert.True(v.Reason!.Length < 1200, "reasoning appears only clipped");
            });
            Assert.Equal(criteria.Count, cut.Calls); // no repair, no fresh attempt: they would be cut off again
        }
        var allowed = spec with { Request = spec.Request with { ReasoningTokens = 1024 } };
        using var roomy = EndpointClient.Create(allowed);
        var ok = await new JudgeEngine([roomy], null, new JudgeOptions()).GradeAsync(task.Prompt, "Some answer.", criteria);
        Assert.All(ok.Verdicts.Values, v => Assert.NotEqual(VerdictStatus.CannotAssess, v.Status));
        Assert.Equal(criteria.Count, ok.Calls);
    }

    [Fact]
    public async Task Reasoning_IsNeverStoredInTheVerdictCache()
    {
        using var dir = new TempDir();
        foreach (var dialect in new[] { "think", "reasoning-field", "mixed" })
        {
            await using var server = await SimServer.StartAsync(Options(dialect));
            using var cache = VerdictCache.Open(dir.File("v.sqlite"));
            var run = await GradeAll(server, new JudgeOptions { Mode = JudgeMode.Parse("batched:3") }, cache: cache);
            Assert.Equal(0, run.CannotAssess);
        }
        using var connection = new SqliteConnection($"Data Source={dir.File("v.sqlite")};Pooling=False");
        connection.Open();
        using var command = connection.CreateCommand();
        command.CommandText = "SELECT count(*), sum(reason LIKE '%Working through%' OR reason LIKE '%<think>%' OR reason LIKE '%For f1:%') FROM verdicts";
        using var reader = command.ExecuteReader();
        Assert.True(reader.Read());
        Assert.True(reader.GetInt64(0) >= 6 * 2 * 12); // the dialects' verdicts are all there (the mixed run's hit the cache) …
        Assert.Equal(0, reader.GetInt64(1));           // … and none holds reasoning
    }

    [Fact]
    public async Task UnusableAnswers_AreCounted_AndStopAJudgeWithFailFast()
    {
        await using var server = await SimServer.StartAsync(Options("garbage"));
        var spec = new EndpointSpec("garbled", EndpointKind.Sim, server.BaseUrl, "sim-judge", null, Fast, PriceTable.Free);
        using var counted = EndpointClient.Create(spec);
        var task = server.World.Tasks[0];
        var result = await new JudgeEngine([counted], null, new JudgeOptions()).GradeAsync(task.Prompt, "Some answer.", Criteria(task).Take(3).ToList());
        Assert.All(result.Verdicts.Values, v =>
            Assert.StartsWith("unparsable judge output after one repair: no JSON object in the answer; answer: ", v.Reason));
        var usage = counted.UsageSoFar();
        Assert.Equal(3, usage.UnusableAnswers);
        Assert.Equal(3 * 2 * JudgeEngine.FreshAttempts, usage.Calls);
        Assert.Equal(0, usage.Failures);

        using var failFast = EndpointClient.Create(spec, new EndpointClientOptions { FailFastAfter = 5 });
        var engine = new JudgeEngine([failFast], null, new JudgeOptions { Mode = JudgeMode.PerCriterion });
        var stop = await Assert.ThrowsAsync<EndpointUnusableException>(async () =>
        {
            foreach (var t in server.World.Tasks) await engine.GradeAsync(t.Prompt, "Some answer.", Criteria(t));
        });
        Assert.StartsWith("garbled: the first ", stop.Message);
        Assert.Contains("answers could not be used and none could (the last: no JSON object in the answer: ", stop.Message);
        Assert.Contains("Try structured_output: json_schema or json_object", stop.Message);
        Assert.Contains("reasoning_tokens", stop.Message);
    }
}
