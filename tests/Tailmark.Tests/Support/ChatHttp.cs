using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Tailmark.Tests.Support;

/// <summary>A bare HTTP client for the chat-completions protocol, so sim tests exercise the wire format itself.</summary>
public sealed class ChatHttp(Uri baseUrl, TimeSpan? timeout = null) : IDisposable
{
    private readonly HttpClient _http = new() { Timeout = timeout ?? TimeSpan.FromSeconds(60) };

    public static JsonObject Body(string model, string user, int n = 1, long? seed = null, Action<JsonObject>? extra = null)
    {
        var body = new JsonObject
        {
            ["model"] = model,
            ["messages"] = new JsonArray(new JsonObject { ["role"] = "user", ["content"] = user }),
            ["n"] = n,
        };
        if (seed is not null) body["seed"] = seed;
        extra?.Invoke(body);
        return body;
    }

    public async Task<(int Status, JsonElement Json, HttpResponseMessage Response)> PostAsync(JsonObject body, CancellationToken cancellationToken = default)
    {
        var response = await _http.PostAsJsonAsync(new Uri(baseUrl + "/chat/completions"), body, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        return ((int)response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement.Clone(), response);
    }

    public async Task<string> CompleteAsync(JsonObject body, CancellationToken cancellationToken = default)
    {
        var (status, json, _) = await PostAsync(body, cancellationToken);
        Assert.Equal(200, status);
        return json.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString()!;
    }

    public async Task<JsonElement> GetAsync(string path)
    {
        var text = await _http.GetStringAsync(new Uri(baseUrl + path));
        return JsonDocument.Parse(text).RootElement.Clone();
    }

    public void Dispose() => _http.Dispose();
}
