using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tailmark.Server.Reward.Text;
using Tailmark.Server.Reward.Wire;

namespace Tailmark.Server.Reward;

/// <summary>
/// slime's remote reward (<c>--rm-type remote_rm --rm-url …/slime --reward-key reward</c>): one sample per request,
/// <c>{"prompt", "response", "label"}</c>. The prompt is a string (chat-templated or not) or messages; a label that is a
/// string or number is tried as the prompt id first. The answer is a <see cref="SlimeAnswer"/>; ungraded items follow
/// the same policies as OpenRLHF's (<see cref="NumberPolicy"/>).
/// </summary>
public sealed class SlimeProtocol : IRewardProtocol
{
    public string Name => "slime";

    public RewardRequest Parse(JsonElement body, RewardService service)
    {
        var wire = WireFields.Envelope(body, RewardWireContext.Default.SlimeRequestWire, "{\"prompt\", \"response\", \"label\"}");
        var notes = new List<string>();
        var prompt = WireContent.Prompt(wire.Prompt.ValueKind == JsonValueKind.Undefined ? null : wire.Prompt, "prompt", notes, out var problem);
        if (problem is not null) return One(RewardItem.Unreadable(problem, notes));
        if (wire.Response.ValueKind == JsonValueKind.Undefined) return One(RewardItem.Unreadable("response: required (send null for an empty response)"));
        var response = WireContent.Response(wire.Response, "response", notes, out problem);
        if (problem is not null) return One(RewardItem.Unreadable(problem, notes));
        var promptId = wire.Label.ValueKind switch
        {
            JsonValueKind.String when wire.Label.GetString() is { Length: > 0 } s => s,
            JsonValueKind.Number => wire.Label.GetRawText(),
            _ => null,
        };
        return One(new RewardItem(promptId, prompt, service.Cleaner.Clean(response!, notes), null) { Notes = [.. notes] });
    }

    private static RewardRequest One(RewardItem item) => new([item], null, "body");

    public async Task WriteAsync(HttpContext context, RewardRequest request, RewardBatch batch, RewardService service)
    {
        var reward = NumberPolicy.Rewards(batch, service.Options, _ => "body")[0];
        var r = batch.Results[0];
        var answer = new SlimeAnswer(reward, Math.Clamp(reward, 0, 1), r.IsGraded ? 1 : 0, r.Graded?.Result.Breakdown.VetoedBy is null ? 0 : 1,
            r.Ungraded is { } kind ? UngradedKinds.Name(kind) : null, r.Reason, r.Graded?.Row.RubricId, r.Provenance);
        await context.Response.WriteAsJsonAsync(answer, RewardWireContext.Default.SlimeAnswer, cancellationToken: context.RequestAborted).ConfigureAwait(false);
    }
}
