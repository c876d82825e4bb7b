using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tailmark.Server.Reward;
using Tailmark.Tests.Support;
using Xunit.Abstractions;

namespace Tailmark.Tests.Server;

/// <summary>
/// A seeded fuzz of the reward endpoints: thousands of requests with wrong types, huge and non-finite numbers, deep
/// nesting, invalid UTF-8, truncated bodies and odd shapes. No answer may be a 5xx; every answer must be JSON; every
/// error must carry a message, and when it names a field the message starts with that field; no request may go
/// unanswered (a hang: no answer within <see cref="Hang"/>). The figures (requests, statuses, failures by kind) are
/// written to the test output for docs/reliability.md; <c>TAILMARK_FUZZ_SEED</c> and <c>TAILMARK_FUZZ_SCALE</c> pick
/// another seed and multiply the requests for a longer hunt, as for the file-reader fuzz.
/// </summary>
[Trait("Tier", "Integration")]
public sealed class RewardServerFuzzTests(ITestOutputHelper output) : SimJudgeTests
{
    private const int Requests = 3000;
    private static readonly TimeSpan Hang = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Fuzz_NoServerError_EveryErrorIsJsonNamingTheField()
    {
        var scale = double.TryParse(Environment.GetEnvironmentVariable("TAILMARK_FUZZ_SCALE"), System.Globalization.CultureInfo.InvariantCulture, out var s) ? s
            : 1;
        var seed = int.TryParse(Environment.GetEnvironmentVariable("TAILMARK_FUZZ_SEED"), out var given) ? given : 20260415;
        var (server, _) = await RewardServerFixture.StartAsync(Sim, Judge,
            new RewardServerOptions { Token = "fuzz", MaxItemsPerRequest = 50, QueueLimit = 4096 });
        await using var _ = server;
        using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
        var random = new Random(seed);
        var cases = Enumerable.Range(0, Math.Max(1, (int)(Requests * scale))).Select(_ => Case(random)).ToList();
        var statuses = new SortedDictionary<int, int>();
        var problems = new SortedDictionary<string, int>(StringComparer.Ordinal);
        var failures = new List<string>();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (c, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseUrl, c.Path)) { Content = new ByteArrayContent(c.Body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = new AuthenticationHeaderValue(c.Scheme, "fuzz");
            using var hang = CancellationTokenSource.CreateLinkedTokenSource(ct);
            hang.CancelAfter(Hang);
            int? status = null;
            string text;
            try
            {
                using var response = await http.SendAsync(request, hang.Token);
                status = (int)response.StatusCode;
                text = await response.Content.ReadAsStringAsync(hang.Token);
            }
            catch (OperationCanceledException) when (!ct.IsCancellationRequested)
            {
                text = "";
            }
            var problem = status is { } code ? Check(code, text) : "hang: no answer";
            lock (statuses)
            {
                if (status is { } code2) statuses[code2] = statuses.GetValueOrDefault(code2) + 1;
                if (problem is null) return;
                var kind = problem.Split(':')[0];
                problems[kind] = problems.GetValueOrDefault(kind) + 1;
                failures.Add($"{c.Path} {Encoding.UTF8.GetString(c.Body)[..Math.Min(200, c.Body.Length)]} → {status} {text[..Math.Min(300, text.Length)]}: " +
                    $"{problem}");
            }
        });
        output.WriteLine($"{cases.Count} requests (seed {seed}; " +
            $"{string.Join(", ", cases.GroupBy(c => c.Path).OrderBy(g => g.Key, StringComparer.Ordinal).Select(g => $"{g.Key} {g.Count()}"))}), " +
            $"{clock.Elapsed.TotalSeconds:0} s");
        output.WriteLine("statuses: " + string.Join(", ", statuses.Select(kv => $"{kv.Key} × {kv.Value}")));
        output.WriteLine($"5xx: {statuses.Where(kv => kv.Key >= 500).Sum(kv => kv.Value)}; failures by kind: " + (problems.Count == 0 ? "none"
            : string.Join(", ", problems.Select(kv => $"{kv.Key} × {kv.Value}"))));
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
        Assert.DoesNotContain(statuses.Keys, s => s >= 500);
        // The generator reaches both sides: answered requests and refused ones.
        Assert.True(statuses.GetValueOrDefault(200) > cases.Count / 10, string.Join(", ", statuses));
        Assert.True(statuses.GetValueOrDefault(400) > cases.Count / 10, string.Join(", ", statuses));
    }

    private static string? Check(int status, string text)
    {
        if (status >= 500) return "5xx";
        JsonElement json;
        try
        {
            json = JsonDocument.Parse(text).RootElement;
        }
        catch (JsonException)
        {
            return "not JSON";
        }
        if (status == 200) return null;
        if (!json.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.String
            || error.GetString()!.Length == 0) return "no error message";
        if (json.TryGetProperty("field", out var field) && field.ValueKind == JsonValueKind.String && field.GetString() is { } f && f != "body"
            && f != "Authorization"
            && !error.GetString()!.StartsWith(f, StringComparison.Ordinal))
        {
            return $"field not named: {f}";
        }
        return null;
    }

    private sealed record FuzzCase(string Path, byte[] Body, string Scheme);

    private static readonly string[] Paths = ["v1/reward", "get_reward", "slime"];

    private FuzzCase Case(Random r)
    {
        var path = Paths[r.Next(Paths.Length)];
        var node = path switch
        {
            "v1/reward" => new JsonObject
            {
                ["items"] = new JsonArray([.. Enumerable.Range(0, r.Next(0, 4)).Select(_ => (JsonNode)new JsonObject
                {
                    ["prompt_id"] = Sim.World.Tasks[r.Next(Sim.World.Tasks.Length)].Id,
                    ["response"] = "You should rest.",
                    ["step"] = r.Next(5),
                })]),
                ["deadline_ms"] = 5000,
            },
            "get_reward" => new JsonObject { ["query"] = new JsonArray("P. A."), ["prompts"] = new JsonArray("P."), ["labels"] = new JsonArray("") },
            _ => new JsonObject { ["prompt"] = "P.", ["response"] = "A.", ["label"] = Sim.World.Tasks[0].Id },
        };
        var text = node.ToJsonString();
        var mutations = r.Next(0, 4);
        for (var m = 0; m < mutations; m++) text = Mutate(text, r);
        var body = Encoding.UTF8.GetBytes(text);
        switch (r.Next(12))
        {
            case 0: body = body[..r.Next(body.Length + 1)]; break; // truncated
            case 1: body = InsertBytes(body, r, [0xFF]); break; // invalid UTF-8
            case 2: body = InsertBytes(body, r, [0xC3, 0x28]); break;
            case 3: body = InsertBytes(body, r, [0xED, 0xA0, 0x80]); break; // a UTF-16 surrogate encoded in UTF-8
        }
        return new FuzzCase(path, body, r.Next(10) == 0 ? "bearer" : "Bearer");
    }

    private static readonly string[] Values =
    [
        "null", "true", "0", "-1", "1e400", "-1e400", "1e-400", "123456789012345678901234567890", "3.5", "\"\"", "\"x\"", "\"NaN\"",
        "[]", "{}", "[1,2]", "{\"a\":1}", "[{\"role\":\"user\"}]", "[{\"type\":\"image\"}]", "[null]", "\"\\ud800\"",
        new string('[', 70) + new string(']', 70), "{\"role\":\"assistant\",\"content\":[{\"type\":\"text\",\"text\":7}]}",
    ];

    private static string Mutate(string text, Random r)
    {
        // Replace one value (after a colon or in a list) with another of any type.
        var positions = Enumerable.Range(0, text.Length).Where(i => text[i] is ':' or '[' or ',').ToList();
        if (positions.Count == 0) return text;
        var at = positions[r.Next(positions.Count)] + 1;
        var end = at;
        var depth = 0;
        var inString = false;
        for (; end < text.Length; end++)
        {
            var c = text[end];
            if (inString)
            {
                if (c == '\\') end++;
                else if (c == '"') inString = false;
                continue;
            }
            if (c == '"') inString = true;
            else if (c is '[' or '{') depth++;
            else if (c is ']' or '}')
            {
                if (depth == 0) break;
                depth--;
            }
            else if (c == ',' && depth == 0) break;
        }
        return text[..at] + Values[r.Next(Values.Length)] + text[end..];
    }

    private static byte[] InsertBytes(byte[] body, Random r, byte[] bytes)
    {
        // Inside a string when there is one, so the JSON stays well-formed and only the encoding is wrong.
        var quote = Array.IndexOf(body, (byte)'"', r.Next(Math.Max(1, body.Length)));
        var at = quote < 0 ? r.Next(body.Length + 1) : quote + 1;
        return [.. body[..at], .. bytes, .. body[at..]];
    }
}
