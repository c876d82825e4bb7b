using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Tailmark.Tests.Support;

/// <summary>
/// A stand-in judge (not one of ours) on 127.0.0.1 that meets every criterion named <c>a</c> and quotes the
/// Authorization header it was sent in its reason — the way an endpoint's answer or error body can echo a key.
/// </summary>
public sealed class KeyEchoingJudge : IAsyncDisposable
{
    private readonly WebApplication _app;

    private KeyEchoingJudge(WebApplication app, string url)
    {
        _app = app;
        Url = url;
    }

    /// <summary>The OpenAI-compatible base URL, ending in <c>/v1</c>; the model is <c>m</c>.</summary>
    public string Url { get; }

    public static async Task<KeyEchoingJudge> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/v1/models", () => Results.Json(new { data = new[] { new { id = "m" } } }));
        app.MapPost("/v1/chat/completions", (HttpContext c) =>
        {
            var verdicts = JsonSerializer.Serialize(new { verdicts = new[] { new { id = "a", met = true,
                reason = $"I was sent {c.Request.Headers.Authorization}" } } });
            return Results.Json(new
            {
                id = "x", @object = "chat.completion", created = 0, model = "m",
                choices = new[] { new { index = 0, finish_reason = "stop", message = new { role = "assistant", content = verdicts } } },
                usage = new { prompt_tokens = 10, completion_tokens = 10, total_tokens = 20 },
            });
        });
        await app.StartAsync();
        return new KeyEchoingJudge(app, app.Urls.Single().Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/v1");
    }

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
