using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Llm;

/// <summary>
/// Named endpoints from a YAML or JSON file (docs/llm.md):
/// <c>endpoints: {NAME: {url, model, api_key_env?, concurrency?, rpm?, tpm?, timeout_s?, max_retries?, price?: {prompt, cached_prompt, completion},
/// structured_output?: auto|json_schema|json_object|none, reasoning_effort?, reasoning_tokens?}}</c>.
/// Prices are US dollars per million tokens. Every bad field is reported with its line.
/// </summary>
public sealed class EndpointConfig
{
    private readonly Dictionary<string, EndpointSpec> _endpoints;

    private EndpointConfig(Dictionary<string, EndpointSpec> endpoints) => _endpoints = endpoints;

    public static readonly EndpointConfig Empty = new([]);

    /// <summary>The longest timeout of one call an endpoints file may set: a day.</summary>
    public const double MaxTimeoutSeconds = 86_400;

    public IReadOnlyDictionary<string, EndpointSpec> Endpoints => _endpoints;

    public static EndpointConfig Load(string path)
    {
        var docs = YamlJson.Parse(File.ReadAllText(path), path);
        var log = new IssueLog(path);
        var endpoints = new Dictionary<string, EndpointSpec>(StringComparer.Ordinal);
        if (docs.Count != 1 || docs[0].Json.ValueKind != JsonValueKind.Object)
        {
            throw new InputException(path, null, null, "an endpoints file holds one mapping with an 'endpoints' key");
        }
        var root = new JsonFieldReader(docs[0].Json, "", log);
        if (root.Object("endpoints") is { } map)
        {
            foreach (var p in map.EnumerateObject())
            {
                if (Read(p.Name, p.Value, log) is { } spec) endpoints[p.Name] = spec;
            }
        }
        else
        {
            log.Error("endpoints", "required field is missing");
        }
        root.Rest();
        if (log.HasErrors) throw new InputException([.. log.Issues.Where(i => i.IsError).Select(i => YamlJson.Locate(i, docs[0].Lines))]);
        return new EndpointConfig(endpoints);
    }

    private static EndpointSpec? Read(string name, JsonElement json, IssueLog log)
    {
        var path = $"endpoints.{name}";
        if (json.ValueKind != JsonValueKind.Object)
        {
            log.Error(path, "expected a mapping with url and model");
            return null;
        }
        var f = new JsonFieldReader(json, path, log);
        var url = f.String("url", required: true);
        var model = f.String("model", required: true);
        var keyEnv = f.String("api_key_env");
        var timeout = f.Number("timeout_s") ?? 60;
        if (!(timeout is > 0 and <= MaxTimeoutSeconds))
        {
            log.Error(f.FieldPath("timeout_s"), $"expected seconds in (0, {MaxTimeoutSeconds:0}], found {timeout.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            timeout = 60;
        }
        var limits = new EndpointLimits
        {
            Concurrency = f.Integer("concurrency") ?? 32,
            RequestsPerMinute = f.Integer("rpm"),
            TokensPerMinute = f.Integer("tpm"),
            Timeout = TimeSpan.FromSeconds(timeout),
            MaxRetries = f.Integer("max_retries") ?? 5,
        };
        var prices = PriceTable.Free;
        if (f.Object("price") is { } price)
        {
            var pf = new JsonFieldReader(price, f.FieldPath("price"), log);
            prices = new PriceTable(pf.Number("prompt") ?? 0, pf.Number("cached_prompt") ?? pf.Number("prompt") ?? 0, pf.Number("completion") ?? 0);
            pf.Rest();
            if (prices.PromptPerMillion < 0 || prices.CachedPromptPerMillion < 0 || prices.CompletionPerMillion < 0) log.Error(f.FieldPath("price"), "prices must not be negative");
        }
        var request = ReadRequest(f);
        f.Rest();
        if (model is not null && string.IsNullOrWhiteSpace(model))
        {
            log.Error(f.FieldPath("model"), "the model name is empty");
            return null;
        }
        if (url is null || model is null || request is null) return null;
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
        {
            log.Error(f.FieldPath("url"), $"not an http(s) URL: \"{url}\"");
            return null;
        }
        try
        {
            limits = limits.Validated();
        }
        catch (ArgumentOutOfRangeException ex)
        {
            log.Error(path, ex.Message);
            return null;
        }
        var key = keyEnv is null ? null : Environment.GetEnvironmentVariable(keyEnv);
        if (keyEnv is not null && key is null) log.Warn(f.FieldPath("api_key_env"), $"environment variable {keyEnv} is not set");
        return new EndpointSpec(name, EndpointKind.Http, uri, model, key, limits, prices) { Request = request };
    }

    // structured_output, reasoning_effort and reasoning_tokens; null (with the errors logged) when one is bad.
    private static EndpointRequestOptions? ReadRequest(JsonFieldReader f)
    {
        var ok = true;
        var mode = StructuredOutputMode.Auto;
        if (f.String("structured_output") is { } text)
        {
            if (EndpointRequestOptions.ParseMode(text) is { } m) mode = m;
            else
            {
                f.Log.Error(f.FieldPath("structured_output"), $"unknown value \"{text}\" (expected auto, json_schema, json_object or none)");
                ok = false;
            }
        }
        var effort = f.String("reasoning_effort");
        if (effort is not null && (effort.Length == 0 || effort.Any(char.IsWhiteSpace)))
        {
            f.Log.Error(f.FieldPath("reasoning_effort"), $"expected one word such as low, medium or high, found \"{effort}\"");
            ok = false;
        }
        var tokens = f.Integer("reasoning_tokens") ?? 0;
        if (tokens is < 0 or > EndpointRequestOptions.MaxReasoningTokens)
        {
            f.Log.Error(f.FieldPath("reasoning_tokens"), $"must be between 0 and {EndpointRequestOptions.MaxReasoningTokens}, not {tokens}");
            ok = false;
        }
        var request = new EndpointRequestOptions { StructuredOutput = mode, ReasoningEffort = effort, ReasoningTokens = tokens };
        return ok ? request : null;
    }
}
