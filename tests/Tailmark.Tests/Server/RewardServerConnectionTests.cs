using System.Net.Sockets;
using System.Text;
using System.Text.Json;
using Tailmark.Llm;
using Tailmark.Server.Reward;
using Tailmark.Sim.Server;
using Tailmark.Sim;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Server;

/// <summary>
/// The reward server's connection handling over raw sockets on 127.0.0.1: a thousand connections at once, a client that
/// drips its body, a client that never finishes its headers — none may hold the server or lose an accepted request.
/// </summary>
[Trait("Tier", "Integration")]
public sealed class RewardServerConnectionTests : SimJudgeTests
{
    /// <summary>A response meeting one basic (weight 1) and one advanced (weight 2) facet of a world-13 task: reward 3/16 (see RewardServerTests).</summary>
    private (string Id, string Response) Good()
    {
        var task = Sim.World.Tasks[0];
        var facets = task.Facets.Where(f => !f.IsError).ToList();
        return (task.Id, $"You should {facets[0].Phrase}. Also {facets[4].Phrase}.");
    }

    private static byte[] Request(string body) =>
        Encoding.UTF8.GetBytes($"POST /v1/reward HTTP/1.0\r\nHost: 127.0.0.1\r\nContent-Type: " +
            $"application/json\r\nContent-Length: {Encoding.UTF8.GetByteCount(body)}\r\n\r\n{body}");

    /// <summary>Reads until the server closes the connection (HTTP/1.0: no chunking, the body ends at the close).</summary>
    private static async Task<string> ReadAll(NetworkStream stream)
    {
        using var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer);
        return Encoding.UTF8.GetString(buffer.ToArray());
    }

    [Fact]
    public async Task AThousandConnectionsAtOnce_EveryRequestIsAnswered()
    {
        var (server, _) = await RewardServerFixture.StartAsync(Sim, Judge, new RewardServerOptions { QueueLimit = 1000 });
        await using var _ = server;
        var (id, response) = Good();
        var clients = new List<TcpClient>();
        try
        {
            for (var i = 0; i < 1000; i++)
            {
                var c = new TcpClient();
                await c.ConnectAsync("127.0.0.1", server.BaseUrl.Port);
                clients.Add(c);
            }
            // A thousand idle connections held open do not stop a new client.
            using (var http = new HttpClient())
            {
                Assert.True((await http.GetAsync(new Uri(server.BaseUrl, "health"))).IsSuccessStatusCode);
            }
            var answers = await Task.WhenAll(clients.Select(async (c, i) =>
            {
                var stream = c.GetStream();
                var body = JsonSerializer.Serialize(new { items = new[] { new { prompt_id = id, response, step = i } } });
                await stream.WriteAsync(Request(body));
                return await ReadAll(stream);
            }));
            Assert.All(answers, a =>
            {
                Assert.StartsWith("HTTP/1.1 200", a);
                var json = JsonDocument.Parse(a[(a.IndexOf("\r\n\r\n", StringComparison.Ordinal) + 4)..]).RootElement;
                Assert.Equal(3.0 / 16, json.GetProperty("rewards")[0].GetDouble(), 12);
            });
        }
        finally
        {
            foreach (var c in clients) c.Dispose();
        }
    }

    [Fact]
    public async Task ASlowBody_IsCutOff_WhileOtherClientsAreServed()
    {
        var (server, _) = await RewardServerFixture.StartAsync(Sim, Judge,
            new RewardServerOptions { BodyRateGrace = TimeSpan.FromSeconds(2), MinBodyBytesPerSecond = 240 });
        await using var _ = server;
        using var slow = new TcpClient();
        await slow.ConnectAsync("127.0.0.1", server.BaseUrl.Port);
        var stream = slow.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("POST /v1/reward HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: " +
            "100000\r\n\r\n{"));
        var (id, response) = Good();
        using var http = new HttpClient();
        var served = await http.PostAsync(new Uri(server.BaseUrl, "v1/reward"),
            new StringContent(JsonSerializer.Serialize(new { items = new[] { new { prompt_id = id, response } } }), Encoding.UTF8, "application/json"));
        Assert.True(served.IsSuccessStatusCode);
        // Drip 10 bytes a second, far below the minimum rate; the server must end the request long before the body is complete.
        var sent = 1;
        var cut = false;
        for (var i = 0; i < 200 && !cut; i++)
        {
            try
            {
                await stream.WriteAsync(Encoding.ASCII.GetBytes("          "));
                sent += 10;
                await Task.Delay(1000);
                if (slow.Client.Poll(0, SelectMode.SelectRead)) cut = true; // the server answered or closed
            }
            catch (IOException)
            {
                cut = true;
            }
        }
        Assert.True(cut, "the server kept waiting for a body dripping at 10 bytes a second");
        Assert.True(sent < 100000);
    }

    [Fact]
    public async Task HeadersThatNeverEnd_CloseTheConnection()
    {
        var (server, _) = await RewardServerFixture.StartAsync(Sim, Judge, new RewardServerOptions { HeadersTimeout = TimeSpan.FromSeconds(1) });
        await using var _ = server;
        using var slow = new TcpClient();
        await slow.ConnectAsync("127.0.0.1", server.BaseUrl.Port);
        var stream = slow.GetStream();
        await stream.WriteAsync(Encoding.ASCII.GetBytes("POST /v1/reward HTTP/1.1\r\nHost: 127.0.0.1\r\n"));
        using var reading = new CancellationTokenSource(TimeSpan.FromSeconds(60)); // a bound for a broken server, not a timing claim
        var answer = new MemoryStream();
        await stream.CopyToAsync(answer, reading.Token); // returns when the server closes the connection
        var text = Encoding.ASCII.GetString(answer.ToArray());
        Assert.True(text.Length == 0 || text.StartsWith("HTTP/1.1 408", StringComparison.Ordinal), text);
        using var http = new HttpClient();
        Assert.True((await http.GetAsync(new Uri(server.BaseUrl, "health"))).IsSuccessStatusCode);
    }
}
