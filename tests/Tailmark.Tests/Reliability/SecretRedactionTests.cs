using System.Text.Json;
using Tailmark.Io;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Reliability;

/// <summary>Known secrets never reach an output file or a log line, even when a judge echoes them.</summary>
public sealed class SecretRedactionTests
{
    private const string Key = "sk-test-0123456789abcdefghijklmnop";

    [Fact]
    public void Redactor_MasksEveryKnownSecret_LongestFirst_AndIgnoresShortValues()
    {
        var redactor = new SecretRedactor();
        redactor.Add("sk-abcdefghijkl");
        redactor.Add("sk-abcdefghijkl-MORE");
        redactor.Add("EMPTY"); // a local server's placeholder: masking it would cut words out of reasons
        Assert.Equal("key [redacted] and [redacted]; EMPTY stays", redactor.Redact("key sk-abcdefghijkl-MORE and sk-abcdefghijkl; EMPTY stays"));
    }

    [Fact]
    public void RedactingWriter_MasksASecretSplitAcrossWrites()
    {
        var redactor = new SecretRedactor();
        redactor.Add(Key);
        var inner = new StringWriter();
        using (var writer = new RedactingWriter(inner, redactor))
        {
            writer.Write("error: the server said: ");
            writer.Write(Key[..10]);
            writer.Write(Key[10..]);
            writer.WriteLine(" is wrong");
            writer.Write("\rprogress ");
            writer.Write(Key);
        }
        Assert.Equal($"error: the server said: [redacted] is wrong{Environment.NewLine}\rprogress [redacted]", inner.ToString());
    }

    [Trait("Tier", "Integration")]
    [Fact]
    public async Task Grade_JudgeEchoingTheApiKey_NeverWritesItToTheOutputOrTheLog()
    {
        // A stand-in judge (not one of ours) that quotes the Authorization header it was sent in its reason.
        await using var judge = await KeyEchoingJudge.StartAsync();
        var url = judge.Url;
        using var dir = new TempDir();
        var rubrics = dir.Write("r.jsonl", """{"rubric_id": "r1", "prompt_id": "p", "criteria": [{"id": "a", "text": "Says hello."}]}""" + "\n");
        var responses = dir.Write("s.jsonl", """{"prompt_id": "p", "response_id": "x", "response": "Hello."}""" + "\n");
        var output = dir.File("g.jsonl");
        var result = await Task.Run(() => CliProcess.RunWith(null, new Dictionary<string, string> { ["OPENAI_API_KEY"] = Key },
            "grade", "--rubrics", rubrics, "--responses", responses, "--judge", $"{url}#m", "--no-cache", "--out", output));
        Assert.Equal(0, result.ExitCode);
        var text = File.ReadAllText(output);
        Assert.DoesNotContain(Key, text);
        using var row = JsonDocument.Parse(text);
        Assert.Equal("I was sent Bearer [redacted]", row.RootElement.GetProperty("verdicts").GetProperty("a").GetProperty("reason").GetString());
        Assert.DoesNotContain(Key, result.All);
    }

    [Trait("Tier", "Integration")]
    [Fact]
    public async Task RewardServer_JudgeEchoingItsApiKey_AnswersWithTheKeyMasked()
    {
        // The engine masks its judges' keys where reasons are made, so the reward server's answers never carry them.
        await using var judge = await KeyEchoingJudge.StartAsync();
        var spec = new Tailmark.Llm.EndpointSpec("echo", Tailmark.Llm.EndpointKind.Http, new Uri(judge.Url), "m", Key,
            new Tailmark.Llm.EndpointLimits(), Tailmark.Llm.PriceTable.Free);
        using var client = Tailmark.Llm.EndpointClient.Create(spec);
        var rubric = new Tailmark.Rubrics.Rubric { Id = "r1", PromptId = "p",
            Criteria = [new Tailmark.Rubrics.Criterion { Id = "a", Text = "Says hello.", Weight = 1 }] };
        var (server, _) = await RewardServerFixture.StartAsync(new Tailmark.Grading.RubricSet([rubric]), client);
        await using var _ = server;
        using var http = new HttpClient();
        var answer = await (await http.PostAsync(new Uri(server.BaseUrl, "v1/reward"), new StringContent(
            """{"items": [{"prompt_id": "p", "response": "Hello."}]}""", System.Text.Encoding.UTF8, "application/json"))).Content.ReadAsStringAsync();
        Assert.DoesNotContain(Key, answer);
        using var doc = JsonDocument.Parse(answer);
        Assert.Equal("I was sent Bearer [redacted]",
            doc.RootElement.GetProperty("results")[0].GetProperty("verdicts").GetProperty("a").GetProperty("reason").GetString());
    }
}
