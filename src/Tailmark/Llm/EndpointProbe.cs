using System.Net;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Tailmark.Llm;

/// <summary>
/// Asks an endpoint for its model list (<c>GET {base}/models</c>, which OpenAI, vLLM, SGLang, llama.cpp's server and
/// Ollama all answer) before a long job starts, so that a wrong URL or key stops the job at once instead of turning
/// every verdict into CannotAssess. Only an unreachable server or a refused key is an error: a server without the
/// route, or one that answers oddly, is let through, and a model missing from the list is only a warning (Ollama,
/// for one, lists <c>llama3.1:latest</c> and accepts <c>llama3.1</c>).
/// </summary>
public static class EndpointProbe
{
    /// <summary>What the probe found: null when all is well, else a warning to show; throws when the job cannot work.</summary>
    /// <exception cref="EndpointUnusableException">The server cannot be reached, or refuses the key.</exception>
    public static async Task<string?> CheckAsync(EndpointSpec spec, TimeSpan timeout, CancellationToken cancellationToken)
    {
        if (spec.Replicas.Count > 1) return await CheckReplicasAsync(spec, timeout, cancellationToken).ConfigureAwait(false);
        if (spec.BaseUrl is null) return null;
        var url = new Uri(spec.BaseUrl.AbsoluteUri.TrimEnd('/') + "/models");
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (!string.IsNullOrEmpty(spec.ApiKey)) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", spec.ApiKey);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        HttpResponseMessage response;
        try
        {
            response = await http.SendAsync(request, limit.Token).ConfigureAwait(false);
        }
        catch (HttpRequestException ex)
        {
            throw new EndpointUnusableException($"{spec.Name}: cannot reach {spec.BaseUrl}: {ex.Message}", ex);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            throw new EndpointUnusableException($"{spec.Name}: {spec.BaseUrl} did not answer within {timeout.TotalSeconds:0} s");
        }
        using (response)
        {
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                throw new EndpointUnusableException($"{spec.Name}: {spec.BaseUrl} refused the API key (HTTP {(int)response.StatusCode}); " +
                    (string.IsNullOrEmpty(spec.ApiKey) ? "none was sent: set OPENAI_API_KEY, or api_key_env in the endpoints file" : "check the key"));
            }
            if (!response.IsSuccessStatusCode) return null;
            var models = await ModelIds(response, limit.Token).ConfigureAwait(false);
            if (models is not { Count: > 0 } || models.Contains(spec.Model)) return null;
            var shown = string.Join(", ", models.Take(10)) + (models.Count > 10 ? $", … ({models.Count} in all)" : "");
            return $"{spec.Name}: the model '{spec.Model}' is not among those {spec.BaseUrl} lists ({shown}); its calls may fail";
        }
    }

    // Replicas are checked one by one: some down is a warning (the router ejects them and probes them back), all down
    // is the error of one server down.
    private static async Task<string?> CheckReplicasAsync(EndpointSpec spec, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var checks = await Task.WhenAll(spec.Replicas.Select(async url =>
        {
            try
            {
                return (Warning: await CheckAsync(spec.WithBaseUrl(url) with { Replicas = [] }, timeout, cancellationToken).ConfigureAwait(false),
                    Down: (EndpointUnusableException?)null);
            }
            catch (EndpointUnusableException ex)
            {
                return (Warning: null, Down: ex);
            }
        })).ConfigureAwait(false);
        var down = checks.Select(c => c.Down).OfType<EndpointUnusableException>().ToList();
        if (down.Count == checks.Length) throw new EndpointUnusableException($"{spec.Name}: no replica answers " +
            $"({string.Join("; ", down.Select(d => d.Message))})", down[0]);
        var warnings = checks.Select(c => c.Warning).OfType<string>()
            .Concat(down.Select(d => $"{d.Message}; the other replicas take its calls until it answers"));
        return string.Join("\n", warnings) is { Length: > 0 } text ? text : null;
    }

    // The ids under "data" of an OpenAI-style list; null when the answer is not one.
    private static async Task<List<string>?> ModelIds(HttpResponseMessage response, CancellationToken ct)
    {
        try
        {
            using var doc = await JsonDocument.ParseAsync(await response.Content.ReadAsStreamAsync(ct).ConfigureAwait(false),
                cancellationToken: ct).ConfigureAwait(false);
            if (!doc.RootElement.TryGetProperty("data", out var data) || data.ValueKind != JsonValueKind.Array) return null;
            return [.. data.EnumerateArray()
                .Select(m => m.ValueKind == JsonValueKind.Object && m.TryGetProperty("id", out var id)
                    && id.ValueKind == JsonValueKind.String ? id.GetString() : null)
                .OfType<string>()];
        }
        catch (Exception ex) when (ex is JsonException or HttpRequestException or InvalidOperationException
            || (ex is OperationCanceledException && !ct.IsCancellationRequested))
        {
            return null;
        }
    }
}
