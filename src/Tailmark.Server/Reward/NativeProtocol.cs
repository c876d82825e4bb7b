using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tailmark.Grading;
using Tailmark.Io;
using Tailmark.Scoring;
using Tailmark.Server.Reward.Text;
using Tailmark.Server.Reward.Wire;

namespace Tailmark.Server.Reward;

/// <summary>
/// <c>POST /v1/reward</c>: <c>{"items": [{"prompt_id"?, "prompt"?, "response", "step"?, "task"?, "tags"?}], "deadline_ms"?}</c> →
/// <c>{"rewards": [...], "results": [...], "ungraded": N, "no_rubric_found": bool}</c>. Rewards of ungraded items are
/// null: the caller (our Python adapters) decides what its trainer gets.
/// </summary>
public sealed class NativeProtocol : IRewardProtocol
{
    /// <summary>A deadline longer than a day is a mistake, not a wish.</summary>
    public const double MaxDeadlineMs = 86_400_000;

    public string Name => "reward";

    public RewardRequest Parse(JsonElement body, RewardService service)
    {
        var wire = WireFields.Envelope(body, RewardWireContext.Default.NativeRequestWire, "{\"items\": [...], \"deadline_ms\"?}");
        if (wire.Items.ValueKind != JsonValueKind.Array) throw HttpProblem.BadField("items", $"expected a list of items, found {Describe(wire.Items)}");
        TimeSpan? deadline = null;
        if (wire.DeadlineMs is { } ms)
        {
            if (!(ms >= 1 && ms <= MaxDeadlineMs)) throw HttpProblem.BadField("deadline_ms", $"must be between 1 and {MaxDeadlineMs:0} milliseconds, not {ms}");
            deadline = TimeSpan.FromMilliseconds(ms);
        }
        var cleaner = service.Cleaner;
        var items = new List<RewardItem>(wire.Items.GetArrayLength());
        var i = 0;
        foreach (var e in wire.Items.EnumerateArray()) items.Add(Item(e, $"items[{i++}]", cleaner));
        return new RewardRequest(items, deadline, "items");
    }

    private static RewardItem Item(JsonElement e, string path, ResponseCleaner cleaner)
    {
        if (e.ValueKind != JsonValueKind.Object) return RewardItem.Unreadable($"{path}: expected an object, found {Describe(e)}");
        var wire = WireFields.Read(e, RewardWireContext.Default.NativeItemWire, path, out var problem);
        if (wire is null) return RewardItem.Unreadable(problem!);
        if (wire.Response.ValueKind == JsonValueKind.Undefined) return RewardItem.Unreadable($"{path}.response: required (send null for an empty response)");
        var notes = new List<string>();
        var prompt = WireContent.Prompt(Defined(wire.Prompt), $"{path}.prompt", notes, out problem);
        if (problem is not null) return RewardItem.Unreadable(problem, notes);
        var response = WireContent.Response(wire.Response, $"{path}.response", notes, out problem);
        if (problem is not null) return RewardItem.Unreadable(problem, notes);
        var graded = cleaner.Clean(response!, notes);
        var traits = new PromptTraits(wire.Task, wire.Tags is null ? null : [.. wire.Tags]);
        return new RewardItem(wire.PromptId, prompt, graded, wire.Step) { Notes = [.. notes], Traits = traits };
    }

    private static JsonElement? Defined(JsonElement e) => e.ValueKind == JsonValueKind.Undefined ? null : e;

    private static string Describe(JsonElement e) => e.ValueKind == JsonValueKind.Undefined ? "nothing" : WireContent.Describe(e);

    public async Task WriteAsync(HttpContext context, RewardRequest request, RewardBatch batch, RewardService service)
    {
        context.Response.ContentType = "application/json";
        await using var w = new Utf8JsonWriter(context.Response.Body, JsonOutput.Compact);
        w.WriteStartObject();
        w.WriteStartArray("rewards");
        foreach (var r in batch.Results)
        {
            if (r.Reward is { } v) JsonNumbers.Write(w, v);
            else w.WriteNullValue();
        }
        w.WriteEndArray();
        w.WriteStartArray("results");
        foreach (var r in batch.Results) WriteResult(w, r);
        w.WriteEndArray();
        w.WriteNumber("ungraded", batch.Ungraded);
        w.WriteBoolean("no_rubric_found", batch.NothingFound);
        w.WriteEndObject();
    }

    private static void WriteResult(Utf8JsonWriter w, ItemResult r)
    {
        w.WriteStartObject();
        if (r.Graded is { } g)
        {
            w.WriteString("rubric_id", g.Row.RubricId);
            GradedRowWriter.WriteVerdicts(w, g.Row.Verdicts);
            GradedRowWriter.WriteReward(w, g.Result);
        }
        else
        {
            w.WriteNull("reward");
            w.WriteStartArray("diagnostics");
            w.WriteEndArray();
        }
        w.WriteBoolean("graded", r.IsGraded);
        if (r.Ungraded is { } kind)
        {
            w.WriteString("ungraded", UngradedKinds.Name(kind));
            w.WriteString("error", r.Reason);
        }
        if (r.DeadlineExceeded) w.WriteBoolean("deadline_exceeded", true);
        if (r.FoundBy is not null) w.WriteString("found_by", r.FoundBy);
        if (r.Provenance is { } p)
        {
            // By hand, as the rest of this answer: the serializer would flush the writer synchronously onto the response.
            // The names are the snake_case of RewardProvenance's, as slime's answer serializes it (tested alike).
            w.WriteStartObject("provenance");
            w.WriteString("rubric_id", p.RubricId);
            w.WriteNumber("rubric_version", p.RubricVersion);
            w.WriteString("judge", p.Judge);
            w.WriteString("prompt_version", p.PromptVersion);
            w.WriteString("scoring", p.Scoring);
            w.WriteEndObject();
        }
        if (r.Notes.Length > 0)
        {
            w.WriteStartArray("notes");
            foreach (var n in r.Notes) w.WriteStringValue(n);
            w.WriteEndArray();
        }
        w.WriteEndObject();
    }
}
