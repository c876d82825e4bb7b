using System.Text.Json;
using System.Text.Json.Serialization;

namespace Tailmark.Server.Reward.Wire;

/// <summary><c>POST /v1/reward</c>: the items (read one by one, so a bad item is answered alone) and an optional deadline.</summary>
public sealed record NativeRequestWire(JsonElement Items, double? DeadlineMs);

/// <summary>
/// One item of <c>/v1/reward</c>. Prompt and response keep their JSON: they come in several shapes (see WireContent).
/// Task and tags, when sent, select the layered rubrics as a row's do.
/// </summary>
public sealed record NativeItemWire(
    [property: JsonConverter(typeof(IdTextConverter))] string? PromptId,
    JsonElement Prompt,
    JsonElement Response,
    long? Step,
    [property: JsonConverter(typeof(IdTextConverter))] string? Task,
    IReadOnlyList<string>? Tags);

/// <summary>OpenRLHF's remote reward request: <c>{"query": [...], "prompts": [...], "labels": [...]}</c>.</summary>
public sealed record OpenRlhfRequestWire(JsonElement Query, JsonElement Prompts, JsonElement Labels);

/// <summary>OpenRLHF's answer: the same keys every time, one number per item in every list.</summary>
public sealed record OpenRlhfAnswer(IReadOnlyList<double> Rewards, IReadOnlyList<double> Scores, IReadOnlyDictionary<string, IReadOnlyList<double>> ExtraLogs);

/// <summary>slime's <c>--rm-url</c> request: one sample.</summary>
public sealed record SlimeRequestWire(JsonElement Prompt, JsonElement Response, JsonElement Label);

/// <summary>
/// slime's answer, used as the sample's reward; <c>--reward-key reward</c> picks the number. <c>graded</c> is 0 for an
/// ungraded item (then <c>reward</c> is the configured fixed value and <c>ungraded</c> and <c>reason</c> say why).
/// </summary>
public sealed record SlimeAnswer(double Reward, double Score, int Graded, int Vetoed, string? Ungraded, string? Reason, string? RubricId,
    RewardProvenance? Provenance);

/// <summary><c>POST /v1/rubrics/{id}/rollback</c>: the version to go back to (default: the one the active version came from) and why.</summary>
public sealed record RollbackWire(int? Version, string? Reason);

/// <summary>Every HTTP error: a message that names the field, and the field on its own when there is one.</summary>
public sealed record ErrorBody(string Error, string? Field = null);

public sealed record HealthReasonWire(string Code, string Message);

/// <summary><c>GET /health</c>: "ok", or "degraded" with one reason per problem (still HTTP 200: the server keeps answering).</summary>
public sealed record HealthBody(string Status, IReadOnlyList<HealthReasonWire> Reasons, int Rubrics, long JudgeCalls, long JudgeFailures);

[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, NumberHandling = JsonNumberHandling.Strict)]
[JsonSerializable(typeof(NativeRequestWire))]
[JsonSerializable(typeof(NativeItemWire))]
[JsonSerializable(typeof(OpenRlhfRequestWire))]
[JsonSerializable(typeof(OpenRlhfAnswer))]
[JsonSerializable(typeof(SlimeRequestWire))]
[JsonSerializable(typeof(SlimeAnswer))]
[JsonSerializable(typeof(RollbackWire))]
[JsonSerializable(typeof(ErrorBody))]
[JsonSerializable(typeof(HealthBody))]
public sealed partial class RewardWireContext : JsonSerializerContext;
