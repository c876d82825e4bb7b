using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
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

    [Fact]
    public async Task Grade_JudgeEchoingTheApiKey_NeverWritesItToTheOutputOrTheLog()
    {
        // A stand-in judge (not one of ours) that quotes the Authorization header it was sent in its reason.
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        await using var app = builder.Build();
        app.MapGet("/v1/models", () => Results.Json(new { data = new[] { new { id = "m" } } }));
        app.MapPost("/v1/chat/completions", (HttpContext c) =>
        {
            var verdicts = JsonSerializer.Serialize(new { verdicts = new[] { new { id = "a", met = true, reason = $"I was sent {c.Request.Headers.Authorization}" } } });
            return Results.Json(new
            {
                id = "x", @object = "chat.completion", created = 0, model = "m",
                choices = new[] { new { index = 0, finish_reason = "stop", message = new { role = "assistant", content = verdicts } } },
                usage = new { prompt_tokens = 10, completion_tokens = 10, total_tokens = 20 },
            });
        });
        await app.StartAsync();
        var url = app.Urls.Single().Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/v1";
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
}
