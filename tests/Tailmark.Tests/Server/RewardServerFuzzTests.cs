using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tailmark.Server.Reward;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Server;

/// <summary>
/// A seeded fuzz of the reward endpoints: thousands of requests with wrong types, huge and non-finite numbers, deep
/// nesting, invalid UTF-8, truncated bodies and odd shapes. No answer may be a 5xx; every answer must be JSON; every
/// error must carry a message, and when it names a field the message starts with that field.
/// </summary>
public sealed class RewardServerFuzzTests : SimJudgeTests
{
    private const int Requests = 3000;

    [Fact]
    public async Task Fuzz_NoServerError_EveryErrorIsJsonNamingTheField()
    {
        var (server, _) = await RewardServerFixture.StartAsync(Sim, Judge, new RewardServerOptions { Token = "fuzz", MaxItemsPerRequest = 50, QueueLimit = 4096 });
        await using var _ = server;
        using var http = new HttpClient { Timeout = TimeSpan.FromMinutes(2) };
        var random = new Random(20260415);
        var cases = Enumerable.Range(0, Requests).Select(_ => Case(random)).ToList();
        var statuses = new Dictionary<int, int>();
        var failures = new List<string>();
        await Parallel.ForEachAsync(cases, new ParallelOptions { MaxDegreeOfParallelism = 8 }, async (c, ct) =>
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, new Uri(server.BaseUrl, c.Path)) { Content = new ByteArrayContent(c.Body) };
            request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json");
            request.Headers.Authorization = new AuthenticationHeaderValue(c.Scheme, "fuzz");
            using var response = await http.SendAsync(request, ct);
            var text = await response.Content.ReadAsStringAsync(ct);
            var problem = Check((int)response.StatusCode, text);
            lock (statuses)
            {
                statuses[(int)response.StatusCode] = statuses.GetValueOrDefault((int)response.StatusCode) + 1;
                if (problem is not null) failures.Add($"{c.Path} {Encoding.UTF8.GetString(c.Body)[..Math.Min(200, c.Body.Length)]} → {(int)response.StatusCode} {text[..Math.Min(300, text.Length)]}: {problem}");
            }
        });
        Assert.True(failures.Count == 0, string.Join("\n", failures.Take(10)));
        Assert.DoesNotContain(statuses.Keys, s => s >= 500);
        // The generator reaches both sides: answered requests and refused ones.
        Assert.True(statuses.GetValueOrDefault(200) > Requests / 10, string.Join(", ", statuses));
        Assert.True(statuses.GetValueOrDefault(400) > Requests / 10, string.Join(", ", statuses));
    }

    private static string? Check(int status, string text)
    {
        if (status >= 500) return "server error";
        JsonElement json;
        try
        {
            json = JsonDocument.Parse(text).RootElement;
        }
        catch (JsonException)
        {
            return "body is not JSON";
        }
        if (status == 200) return null;
        if (!json.TryGetProperty("error", out var error) || error.ValueKind != JsonValueKind.String || error.GetString()!.Length == 0) return "no error message";
        if (json.TryGetProperty("field", out var field) && field.ValueKind == JsonValueKind.String && field.GetString() is { } f && f != "body" && f != "Authorization"
            && !error.GetString()!.StartsWith(f, StringComparison.Ordinal))
        {
            return $"message does not name the field {f}";
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
