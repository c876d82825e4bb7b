using System.Text.Json;
using Tailmark.Io;

namespace Tailmark.Llm;

/// <summary>
/// Named endpoints from a YAML or JSON file (docs/llm.md):
/// <c>endpoints: {NAME: {url | urls: [...], model, affinity?, eject_after?, eject_s?, api_key_env?, concurrency?, rpm?, tpm?, timeout_s?, max_retries?, price?:
/// {prompt, cached_prompt, completion},
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
        var (urls, urlsOk) = ReadUrls(f);
        var model = f.String("model", required: true);
        var keyEnv = f.String("api_key_env");
        var timeout = f.Number("timeout_s") ?? 60;
        if (!(timeout is > 0 and <= MaxTimeoutSeconds))
        {
            log.Error(f.FieldPath("timeout_s"),
                $"expected seconds in (0, {MaxTimeoutSeconds:0}], found {timeout.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
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
            if (prices.PromptPerMillion < 0 || prices.CachedPromptPerMillion < 0 || prices.CompletionPerMillion < 0) log.Error(f.FieldPath("price"),
                "prices must not be negative");
        }
        var request = ReadRequest(f);
        f.Rest();
        if (model is not null && string.IsNullOrWhiteSpace(model))
        {
            log.Error(f.FieldPath("model"), "the model name is empty");
            return null;
        }
        var routing = ReadRouting(f);
        if (!urlsOk || model is null || request is null || routing is null) return null;
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
        return new EndpointSpec(name, EndpointKind.Http, urls[0], model, key, limits, prices)
            { Request = request, Replicas = urls.Count > 1 ? urls : [], Routing = routing };
    }

    // url, or urls: the replicas of one model; exactly one of them, every URL http(s), none twice.
    private static (List<Uri> Urls, bool Ok) ReadUrls(JsonFieldReader f)
    {
        var urls = new List<Uri>();
        var hasMany = f.Has("urls");
        if (f.Has("url") == hasMany)
        {
            f.Log.Error(f.FieldPath(hasMany ? "urls" : "url"),
                hasMany ? "give url or urls, not both" : "required field is missing (url, or urls: a list of replicas)");
            f.String("url");
            f.Strings("urls");
            return (urls, false);
        }
        var ok = true;
        var texts = hasMany ? f.Strings("urls") : [f.String("url")!];
        if (hasMany && texts.Length == 0)
        {
            f.Log.Error(f.FieldPath("urls"), "lists no URL");
            return (urls, false);
        }
        for (var i = 0; i < texts.Length; i++)
        {
            var at = hasMany ? $"{f.FieldPath("urls")}[{i}]" : f.FieldPath("url");
            if (!Uri.TryCreate(texts[i], UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https"))
            {
                f.Log.Error(at, $"not an http(s) URL: \"{texts[i]}\"");
                ok = false;
            }
            else if (urls.Contains(uri))
            {
                f.Log.Error(at, $"{texts[i]} is listed twice");
                ok = false;
            }
            else urls.Add(uri);
        }
        return (urls, ok && urls.Count > 0);
    }

    // affinity, eject_after and eject_s: how calls spread over replicas; null (with the errors logged) when one is bad.
    private static ReplicaRouting? ReadRouting(JsonFieldReader f)
    {
        var routing = new ReplicaRouting
        {
            Affinity = f.Bool("affinity") ?? true,
            EjectAfter = f.Integer("eject_after") ?? ReplicaRouting.Default.EjectAfter,
        };
        if (f.Number("eject_s") is { } seconds)
        {
            if (!(seconds is > 0 and <= 3600))
            {
                f.Log.Error(f.FieldPath("eject_s"),
                    $"expected seconds in (0, 3600], found {seconds.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
                return null;
            }
            routing = routing with { EjectFor = TimeSpan.FromSeconds(seconds),
                MaxEjectFor = TimeSpan.FromSeconds(Math.Max(seconds, ReplicaRouting.Default.MaxEjectFor.TotalSeconds)) };
        }
        if (routing.EjectAfter is < 1 or > 1000)
        {
            f.Log.Error(f.FieldPath("eject_after"), $"expected failures in a row between 1 and 1000, found {routing.EjectAfter}");
            return null;
        }
        return routing;
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
