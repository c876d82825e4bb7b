using Tailmark.Evaluation.Rl;
using System.Net.Http.Headers;
using System.Text.Json;

namespace Tailmark.Sim.Experiments;

/// <summary>
/// The simulated RL loop: each step, the <see cref="RlPolicy"/> writes a group of rollouts per task, a trainer's request
/// sends them all to the reward server's <c>POST /v1/reward</c> (with the step, so its monitor and audit count by step),
/// and the policy learns from the rewards. Gold comes from the world, never from the server. Between steps the loop waits
/// for the server's background work (refinements, the audit) to settle, so a seed replays the same run.
/// </summary>
public sealed class RlLoop(SimWorld world, HttpClient http, Uri rewardUrl, Func<CancellationToken, Task<RlServerNote>> settle, RlOptions options)
{
    public async Task<IReadOnlyList<RlStep>> RunAsync(IProgress<RlStep>? progress = null, CancellationToken cancellationToken = default)
    {
        options = options.Validated();
        var policy = new RlPolicy(world.Tasks, SimGenerators.Find(options.Start)!, options);
        var steps = new List<RlStep>();
        var before = await settle(cancellationToken).ConfigureAwait(false);
        for (var step = 0; step < options.Steps; step++)
        {
            var rollouts = world.Tasks.SelectMany(t =>
            {
                var rng = SimHash.Random(world.Seed, "rl", t.Id, step);
                return Enumerable.Range(0, options.Group).Select(_ => (Task: t, Rollout: policy.Sample(t, rng)));
            }).ToList();
            var rewards = await RewardAsync(rollouts.Select(r => (r.Task.Id, r.Rollout.Response)).ToList(), step, cancellationToken).ConfigureAwait(false);
            foreach (var group in rollouts.Select((r, i) => (r.Task, r.Rollout, Reward: rewards[i])).GroupBy(r => r.Task))
            {
                policy.Update(group.Key, [.. group.Select(g => (g.Rollout, g.Reward))]);
            }
            var after = await settle(cancellationToken).ConfigureAwait(false);
            var graded = rewards.Where(r => r is not null).Select(r => r!.Value).ToList();
            var result = new RlStep(step,
                graded.Count == 0 ? double.NaN : graded.Average(),
                rollouts.Average(r => SimWorld.Gold(r.Task, r.Rollout.Response)),
                rollouts.Average(r => r.Rollout.Response.Contains(SimVocabulary.Injection, StringComparison.Ordinal) ? 1.0 : 0.0),
                rewards.Count(r => r is null),
                (int)(after.Accepted - before.Accepted), (int)(after.Rejected - before.Rejected), after.Alarm, after.AuditGap ?? double.NaN);
            before = after;
            steps.Add(result);
            progress?.Report(result);
        }
        return steps;
    }

    private async Task<double?[]> RewardAsync(IReadOnlyList<(string PromptId, string Response)> items, int step, CancellationToken ct)
    {
        using var body = new MemoryStream();
        using (var w = new Utf8JsonWriter(body))
        {
            w.WriteStartObject();
            w.WriteStartArray("items");
            foreach (var (promptId, response) in items)
            {
                w.WriteStartObject();
                w.WriteString("prompt_id", promptId);
                w.WriteString("response", response);
                w.WriteNumber("step", step);
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteEndObject();
        }
        using var content = new ByteArrayContent(body.ToArray());
        content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
        using var answer = await http.PostAsync(rewardUrl, content, ct).ConfigureAwait(false);
        var text = await answer.Content.ReadAsStringAsync(ct).ConfigureAwait(false);
        if (!answer.IsSuccessStatusCode) throw new HttpRequestException($"the reward server answered {(int)answer.StatusCode}: {text}");
        using var doc = JsonDocument.Parse(text);
        return [.. doc.RootElement.GetProperty("rewards").EnumerateArray().Select(e => e.ValueKind == JsonValueKind.Number ? e.GetDouble() : (double?)null)];
    }
}
