using System.Text.Json;
using Microsoft.AspNetCore.Http;
using Tailmark.Rubrics;
using Tailmark.Server.Reward.Text;
using Tailmark.Server.Reward.Wire;

namespace Tailmark.Server.Reward;

/// <summary>
/// OpenRLHF's remote reward, <c>POST /get_reward</c>: <c>{"query": [...], "prompts": [...], "labels": [...]}</c>. Each
/// query is the prompt (chat-templated when OpenRLHF applies the template, possibly left-truncated) followed by the
/// response with its end token. The response is the query after its prompt; when the query does not start with the
/// prompt, after the last assistant header of its chat template; else after the longest end of the prompt that the
/// query starts with (at least <see cref="MinOverlap"/> characters). The rubric is found by the label when it is a
/// known prompt id, else by the prompt (its user turns recovered from the template). The answer always has the same
/// keys: <c>rewards</c>, <c>scores</c> (clipped to [0, 1]) and <c>extra_logs</c> with one number per item in each of
/// <c>tailmark_graded</c>, <c>tailmark_ungraded</c>, <c>tailmark_no_rubric</c>, <c>tailmark_deadline</c>, <c>tailmark_vetoed</c>,
/// <c>tailmark_rubric_version</c>.
/// </summary>
public sealed class OpenRlhfProtocol : IRewardProtocol
{
    public const int MinOverlap = 32;

    public static readonly string[] ExtraLogKeys = ["tailmark_graded", "tailmark_ungraded", "tailmark_no_rubric", "tailmark_deadline", "tailmark_vetoed",
        "tailmark_rubric_version"];

    public string Name => "openrlhf";

    public RewardRequest Parse(JsonElement body, RewardService service)
    {
        var wire = WireFields.Envelope(body, RewardWireContext.Default.OpenRlhfRequestWire, "{\"query\": [...], \"prompts\": [...], \"labels\": [...]}");
        if (wire.Query.ValueKind != JsonValueKind.Array) throw HttpProblem.BadField("query", $"expected a list of strings, found {Describe(wire.Query)}");
        var prompts = List(wire.Prompts, "prompts");
        var labels = List(wire.Labels, "labels");
        var items = new List<RewardItem>(wire.Query.GetArrayLength());
        var i = 0;
        foreach (var q in wire.Query.EnumerateArray())
        {
            items.Add(Item(q, i < prompts.Count ? prompts[i] : null, i < labels.Count ? labels[i] : null, i, service.Cleaner));
            i++;
        }
        return new RewardRequest(items, null, "query");
    }

    private static List<JsonElement> List(JsonElement value, string field) => value.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => [],
        JsonValueKind.Array => [.. value.EnumerateArray()],
        _ => throw HttpProblem.BadField(field, $"expected a list, found {WireContent.Describe(value)}"),
    };

    private static RewardItem Item(JsonElement q, JsonElement? promptValue, JsonElement? label, int i, ResponseCleaner cleaner)
    {
        if (q.ValueKind != JsonValueKind.String) return RewardItem.Unreadable($"query[{i}]: expected a string, found {WireContent.Describe(q)}");
        var query = q.GetString()!;
        var notes = new List<string>();
        string? prompt = null;
        if (promptValue is { ValueKind: JsonValueKind.String } p) prompt = p.GetString();
        else if (promptValue is { ValueKind: not JsonValueKind.Null } other) return RewardItem.Unreadable($"prompts[{i}]: expected a string, " +
            $"found {WireContent.Describe(other)}");
        var response = Response(query, prompt, i, notes, out var problem);
        if (response is null) return RewardItem.Unreadable(problem!, notes);
        PromptContent? content = prompt is not null ? WireContent.PromptText(prompt, notes)
            : ChatTemplates.Parse(query) is { Turns.Length: > 0 } t ? t.Prompt : null;
        var promptId = label is { ValueKind: JsonValueKind.String } s && s.GetString() is { Length: > 0 } id ? id
            : label is { ValueKind: JsonValueKind.Number } n ? n.GetRawText() : null;
        return new RewardItem(promptId, content, cleaner.Clean(response, notes), null) { Notes = [.. notes] };
    }

    /// <summary>The response part of a query (see the class summary), or null with the problem.</summary>
    public static string? Response(string query, string? prompt, int i, List<string> notes, out string? problem)
    {
        problem = null;
        if (prompt is not null && query.StartsWith(prompt, StringComparison.Ordinal)) return query[prompt.Length..];
        if (ChatTemplates.Parse(query) is { FinalAssistantAt: { } at })
        {
            if (prompt is not null) notes.Add("query does not start with its prompt (truncated?): response taken after the last assistant header");
            return query[at..];
        }
        if (prompt is null) return query;
        // Decoding a left-truncated prompt can start inside a character: skip a few replacement characters.
        var skip = 0;
        while (skip < 3 && skip < query.Length && query[skip] == '\uFFFD') skip++;
        var overlap = SuffixPrefixOverlap(prompt, query.AsSpan(skip));
        if (overlap >= Math.Min(prompt.Length, MinOverlap))
        {
            notes.Add($"query does not start with its prompt (truncated?): matched the prompt's last {overlap} characters");
            return query[(skip + overlap)..];
        }
        problem = $"query[{i}]: does not contain prompts[{i}]: it neither starts with it, nor has a chat template's assistant header, nor starts with the " +
            $"prompt's last {MinOverlap} characters";
        return null;
    }

    /// <summary>The length of the longest end of <paramref name="prompt"/> that <paramref name="query"/> starts with (prefix function).</summary>
    public static int SuffixPrefixOverlap(string prompt, ReadOnlySpan<char> query)
    {
        var head = query[..Math.Min(query.Length, prompt.Length)];
        // Prefix function of head + separator + prompt; the last value is the overlap.
        var n = head.Length + 1 + prompt.Length;
        var pi = new int[n];
        char At(int k, ReadOnlySpan<char> h) => k < h.Length ? h[k] : k == h.Length ? '\uFFFF' : prompt[k - h.Length - 1];
        for (var k = 1; k < n; k++)
        {
            var j = pi[k - 1];
            while (j > 0 && At(k, head) != At(j, head)) j = pi[j - 1];
            if (At(k, head) == At(j, head)) j++;
            pi[k] = j;
        }
        return pi[n - 1];
    }

    private static string Describe(JsonElement e) => e.ValueKind == JsonValueKind.Undefined ? "nothing" : WireContent.Describe(e);

    public async Task WriteAsync(HttpContext context, RewardRequest request, RewardBatch batch, RewardService service)
    {
        var rewards = NumberPolicy.Rewards(batch, service.Options, i => $"query[{i}]");
        var results = batch.Results;
        double Flag(Func<ItemResult, bool> f, int i) => f(results[i]) ? 1 : 0;
        var logs = new Dictionary<string, IReadOnlyList<double>>(StringComparer.Ordinal)
        {
            ["tailmark_graded"] = [.. results.Select((_, i) => Flag(r => r.IsGraded, i))],
            ["tailmark_ungraded"] = [.. results.Select((_, i) => Flag(r => !r.IsGraded, i))],
            ["tailmark_no_rubric"] = [.. results.Select((_, i) => Flag(r => r.Ungraded == UngradedKind.NoRubric, i))],
            ["tailmark_deadline"] = [.. results.Select((_, i) => Flag(r => r.DeadlineExceeded, i))],
            ["tailmark_vetoed"] = [.. results.Select((_, i) => Flag(r => r.Graded?.Result.Breakdown.VetoedBy is not null, i))],
            // The rubric version that scored the item (0 when none did): OpenRLHF logs numbers only, so the id is the prompt's own.
            ["tailmark_rubric_version"] = [.. results.Select(r => (double)(r.Provenance?.RubricVersion ?? 0))],
        };
        var answer = new OpenRlhfAnswer(rewards, [.. rewards.Select(r => Math.Clamp(r, 0, 1))], logs);
        await context.Response.WriteAsJsonAsync(answer, RewardWireContext.Default.OpenRlhfAnswer,
            cancellationToken: context.RequestAborted).ConfigureAwait(false);
    }
}
