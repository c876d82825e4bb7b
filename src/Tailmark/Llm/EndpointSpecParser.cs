namespace Tailmark.Llm;

/// <summary>Parses endpoint option strings; see <see cref="EndpointSpec"/> and docs/llm.md.</summary>
public static class EndpointSpecParser
{
    public const string OpenAiDefaultUrl = "https://api.openai.com/v1";

    /// <param name="text">The option string.</param>
    /// <param name="defaultSimModel">The simulated model that plain <c>sim</c> means here (sim-judge for a judge, ...).</param>
    /// <param name="config">Named endpoints.</param>
    /// <param name="limits">Limits to apply to endpoints not defined in the config file.</param>
    /// <param name="request">How to ask endpoints not defined in the config file (a named endpoint has its own).</param>
    public static EndpointSpec Parse(string text, string defaultSimModel, EndpointConfig? config = null, EndpointLimits? limits = null,
        EndpointRequestOptions? request = null)
    {
        text = text.Trim();
        if (config is not null && config.Endpoints.TryGetValue(text, out var named)) return named;
        return Unnamed(text, defaultSimModel, config, limits ?? new EndpointLimits()) with { Request = request ?? EndpointRequestOptions.Default };
    }

    private static EndpointSpec Unnamed(string text, string defaultSimModel, EndpointConfig? config, EndpointLimits limits)
    {
        if (text == "sim") return new EndpointSpec(text, EndpointKind.Sim, null, defaultSimModel, null, limits, PriceTable.Free);
        if (text.StartsWith("sim:", StringComparison.Ordinal))
        {
            var model = text[4..];
            if (model.Length == 0) throw new FormatException("'sim:' needs a model name, e.g. sim:sim-judge");
            return new EndpointSpec(text, EndpointKind.Sim, null, model, null, limits, PriceTable.Free);
        }
        if (text.StartsWith("openai:", StringComparison.Ordinal))
        {
            var model = text[7..];
            if (model.Length == 0) throw new FormatException("'openai:' needs a model name, e.g. openai:gpt-4.1-mini");
            var key = Environment.GetEnvironmentVariable("OPENAI_API_KEY");
            if (string.IsNullOrEmpty(key)) throw new FormatException($"'{text}' needs the environment variable OPENAI_API_KEY");
            var url = Environment.GetEnvironmentVariable("OPENAI_BASE_URL") is { Length: > 0 } u ? u : OpenAiDefaultUrl;
            return new EndpointSpec(text, EndpointKind.OpenAi, new Uri(url), model, key, limits, PriceTable.Free);
        }
        if (text.StartsWith("http://", StringComparison.Ordinal) || text.StartsWith("https://", StringComparison.Ordinal))
        {
            var hash = text.IndexOf('#', StringComparison.Ordinal);
            if (hash < 0 || hash == text.Length - 1) throw new FormatException($"'{text}': name the model after '#', e.g. " +
                $"http://127.0.0.1:8000/v1#Qwen/Qwen3-8B");
            // Several URLs before the '#' are replicas of one model (affinity on, default ejection).
            var urls = new List<Uri>();
            foreach (var part in text[..hash].Split(',', StringSplitOptions.TrimEntries))
            {
                if (!Uri.TryCreate(part, UriKind.Absolute, out var uri)
                    || uri.Scheme is not ("http" or "https")) throw new FormatException($"'{part}' is not an http(s) URL");
                if (urls.Contains(uri)) throw new FormatException($"'{text}': {part} is listed twice");
                urls.Add(uri);
            }
            return new EndpointSpec(text, EndpointKind.Http, urls[0], text[(hash + 1)..], Environment.GetEnvironmentVariable("OPENAI_API_KEY"), limits,
                PriceTable.Free)
            {
                Replicas = urls.Count > 1 ? urls : [],
            };
        }
        var known = config is null || config.Endpoints.Count == 0 ? "" : $" or one of the configured endpoints ({string.Join(", ", config.Endpoints.Keys)})";
        throw new FormatException($"'{text}' is not an endpoint spec: use sim, sim:MODEL, openai:MODEL, http(s)://HOST:PORT/v1#MODEL (replicas: " +
            $"URL,URL,…#MODEL){known}");
    }
}
