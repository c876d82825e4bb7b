using System.Net.Http.Headers;
using Tailmark.Io;

namespace Tailmark.Monitoring;

/// <summary>
/// Reads the monitors of several reward-server replicas and adds them up: every replica keeps the monitor of the items
/// it graded, and behind a load balancer each sees a share of every step, so the counts of the same prompt and step
/// are summed (<see cref="MonitorTable.Merge"/>) and the figures recomputed from the sums. A replica that does not
/// answer is named in the result and left out — the merge is then marked partial, never passed off as complete.
/// </summary>
public static class ReplicaMonitors
{
    /// <summary>The monitor URL of a replica given by its base URL (or by the monitor URL itself).</summary>
    public static Uri MonitorUrl(Uri replica)
    {
        if (replica.AbsolutePath.TrimEnd('/').EndsWith("/v1/monitor", StringComparison.Ordinal)) return replica;
        var text = replica.GetLeftPart(UriPartial.Path);
        return new Uri(text.TrimEnd('/') + "/v1/monitor");
    }

    /// <summary>Each replica's monitor, read at once with TOKEN (the replicas' bearer token, if they require one).</summary>
    public static async Task<IReadOnlyList<ReplicaMonitor>> FetchAsync(HttpClient http, IReadOnlyList<Uri> replicas, string? token, TimeSpan timeout,
        CancellationToken cancellationToken = default)
    {
        return await Task.WhenAll(replicas.Select(r => FetchOneAsync(http, r, token, timeout, cancellationToken))).ConfigureAwait(false);
    }

    private static async Task<ReplicaMonitor> FetchOneAsync(HttpClient http, Uri replica, string? token, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var url = MonitorUrl(replica);
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(timeout);
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            if (token is not null) request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            using var response = await http.SendAsync(request, limit.Token).ConfigureAwait(false);
            var body = await response.Content.ReadAsStringAsync(limit.Token).ConfigureAwait(false);
            if (!response.IsSuccessStatusCode)
            {
                return new(replica, null, $"HTTP {(int)response.StatusCode}: {Clip(body)}");
            }
            return new(replica, MonitorTable.Parse(body, url.ToString()), null);
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return new(replica, null, $"no answer within {timeout.TotalSeconds:0.#} s");
        }
        catch (HttpRequestException ex)
        {
            return new(replica, null, ex.Message);
        }
        catch (InputException ex)
        {
            return new(replica, null, string.Join("; ", ex.Issues.Select(i => i.ToString())));
        }
    }

    /// <summary>
    /// The merged monitor's JSON: the table of every replica that answered, and <c>replicas</c> (each URL, whether it
    /// answered, and why not) with <c>partial</c> true when one did not.
    /// </summary>
    /// <summary>
    /// The tables of the replicas that answered, added up, each replica once: one reached under two names (or a server
    /// listing itself among its peers) is recognised by its table's <see cref="MonitorTable.Instance"/>.
    /// </summary>
    public static (MonitorTable Merged, IReadOnlyDictionary<ReplicaMonitor, Uri> DuplicateOf) Merge(IReadOnlyList<ReplicaMonitor> replicas)
    {
        var firstUrl = new Dictionary<string, Uri>(StringComparer.Ordinal);
        var counted = new List<MonitorTable>();
        var duplicateOf = new Dictionary<ReplicaMonitor, Uri>();
        foreach (var r in replicas)
        {
            if (r.Table is not { } table) continue;
            if (table.Instance is { } id && firstUrl.TryGetValue(id, out var first))
            {
                duplicateOf[r] = first;
                continue;
            }
            if (table.Instance is { } newId) firstUrl[newId] = r.Url;
            counted.Add(table);
        }
        return (MonitorTable.Merge(counted), duplicateOf);
    }

    /// <summary>
    /// The merged monitor's JSON: the table of every replica that answered (<see cref="Merge"/>), and <c>replicas</c>
    /// (each URL, whether it answered, why not, and <c>duplicate_of</c> for one counted under another URL) with
    /// <c>partial</c> true when one did not answer.
    /// </summary>
    public static string Render(IReadOnlyList<ReplicaMonitor> replicas)
    {
        var (merged, duplicateOf) = Merge(replicas);
        return merged.Render(w =>
        {
            w.WriteStartArray("replicas");
            foreach (var r in replicas)
            {
                w.WriteStartObject();
                w.WriteString("url", r.Url.ToString());
                w.WriteBoolean("ok", r.Table is not null);
                if (r.Error is not null) w.WriteString("error", r.Error);
                if (duplicateOf.TryGetValue(r, out var same)) w.WriteString("duplicate_of", same.ToString());
                w.WriteEndObject();
            }
            w.WriteEndArray();
            w.WriteBoolean("partial", replicas.Any(r => r.Table is null));
        });
    }

    private static string Clip(string text) => text.Length <= 300 ? text : text[..300] + "…";
}
