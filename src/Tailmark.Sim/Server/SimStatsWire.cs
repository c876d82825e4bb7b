using System.Text.Json.Serialization;

namespace Tailmark.Sim.Server;

/// <summary>
/// What the simulated server has done: requests and faults, tokens (with those served from the prefix
/// cache), the busy time of its slots, and the ideal wall time of the workload (busy time ÷ slots), against which
/// a client's measured time gives its efficiency; the shortest wait between a 429 and its retry; and the most
/// requests it held at once (waiting for a slot or being served), which shows how many calls a client keeps in flight;
/// and the requests refused for their response_format.
/// </summary>
public sealed record SimStatsWire(
    [property: JsonPropertyName("requests")] long Requests,
    [property: JsonPropertyName("completions")] long Completions,
    [property: JsonPropertyName("faults")] Dictionary<string, long> Faults,
    [property: JsonPropertyName("prompt_tokens")] long PromptTokens,
    [property: JsonPropertyName("cached_prompt_tokens")] long CachedPromptTokens,
    [property: JsonPropertyName("completion_tokens")] long CompletionTokens,
    [property: JsonPropertyName("busy_seconds")] double BusySeconds,
    [property: JsonPropertyName("slots")] int Slots,
    [property: JsonPropertyName("ideal_seconds")] double IdealSeconds,
    [property: JsonPropertyName("min_retry_gap_ms")] double? MinRetryGapMs,
    [property: JsonPropertyName("peak_in_flight")] long PeakInFlight,
    [property: JsonPropertyName("refused_response_formats")] long RefusedResponseFormats);
