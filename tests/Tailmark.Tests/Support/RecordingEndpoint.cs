using System.Collections.Concurrent;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Tailmark.Tests.Support;

/// <summary>
/// A stand-in OpenAI-compatible server (not one of ours) on 127.0.0.1 that keeps every chat request's body and answers
/// each with the next of the answers it was given (the last one repeated): a status and a JSON body. For tests of what
/// the client sends and of how it reads what a server returns.
/// </summary>
public sealed class RecordingEndpoint : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(int Status, string Body)> _answers;
    private (int Status, string Body) _last;

    private RecordingEndpoint(WebApplication app, IEnumerable<(int, string)> answers)
    {
        _app = app;
        _answers = new ConcurrentQueue<(int, string)>(answers);
    }

    /// <summary>The OpenAI-compatible base URL, ending in <c>/v1</c>.</summary>
    public string Url { get; private set; } = "";

    /// <summary>The chat requests received, parsed, in order of arrival.</summary>
    public ConcurrentQueue<JsonElement> Requests { get; } = new();

    public static async Task<RecordingEndpoint> StartAsync(params (int Status, string Body)[] answers)
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var endpoint = new RecordingEndpoint(app, answers);
        app.MapPost("/v1/chat/completions", async (HttpContext c) =>
        {
            using var body = await JsonDocument.ParseAsync(c.Request.Body);
            endpoint.Requests.Enqueue(body.RootElement.Clone());
            var (status, json) = endpoint._answers.TryDequeue(out var next) ? endpoint._last = next : endpoint._last;
            c.Response.StatusCode = status;
            c.Response.ContentType = "application/json";
            await c.Response.WriteAsync(json);
        });
        await app.StartAsync();
        endpoint.Url = app.Urls.Single().Replace("[::]", "127.0.0.1", StringComparison.Ordinal) + "/v1";
        return endpoint;
    }

    /// <summary>A chat completion's JSON: one choice with CONTENT and MESSAGE_EXTRA (raw JSON members of the message), the finish reason, usage, and raw JSON
    /// members of the choice.</summary>
    public static string Completion(string? content, string finishReason = "stop", string messageExtra = "", string choiceExtra = "",
        int promptTokens = 10, int completionTokens = 5, int cachedTokens = 0) =>
        $$$"""
        {"id": "cmpl-1", "object": "chat.completion", "created": 1, "model": "m",
         "choices": [{"index": 0, "finish_reason": "{{{finishReason}}}", "message": {"role": "assistant", "content": {{{JsonSerializer.Serialize(content)}}}{{{messageExtra}}} }{{{choiceExtra}}} }],
         "usage": {"prompt_tokens": {{{promptTokens}}}, "completion_tokens": {{{completionTokens}}}, "total_tokens": {{{promptTokens + completionTokens}}},
                   "prompt_tokens_details": {"cached_tokens": {{{cachedTokens}}} } } }
        """;

    public async ValueTask DisposeAsync() => await _app.DisposeAsync();
}
