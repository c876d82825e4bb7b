using System.Text.Json;
using Microsoft.AspNetCore.Http;

namespace Tailmark.Server.Reward;

/// <summary>
/// One trainer's wire protocol over the shared reward walk: how its request becomes items (a bad item becomes an
/// unreadable item, never a failed request), and how the results become its answer.
/// </summary>
public interface IRewardProtocol
{
    /// <summary>The protocol's label in metrics (<c>tailmark_requests_total{endpoint="…"}</c>).</summary>
    string Name { get; }

    /// <summary>The request's items and deadline; throws <see cref="Wire.HttpProblem"/> for a request that is not this protocol's at all.</summary>
    RewardRequest Parse(JsonElement body, RewardService service);

    Task WriteAsync(HttpContext context, RewardRequest request, RewardBatch batch, RewardService service);
}

/// <summary>A parsed request: its items, its deadline, and the field name under which the protocol lists items (for messages).</summary>
public sealed record RewardRequest(IReadOnlyList<RewardItem> Items, TimeSpan? Deadline, string ItemField);
