using System.ClientModel;
using System.ClientModel.Primitives;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using OpenAI;
using OpenAI.Chat;
using Tailmark.Io;
using Tailmark.Judging;
using Tailmark.Rubrics;

namespace Tailmark.Bench;

/// <summary>
/// What one per-criterion judge call costs below Tailmark: the same prompts sent with the same concurrency, once
/// through the OpenAI SDK alone (no Tailmark code: no resilience pipeline, no parsing, no scoring) and once as a bare
/// HttpClient POST of the same JSON. Prompts are built before the clock starts. Reported as CPU µs per call, so the
/// grade benchmark's CPU per verdict can be split into the call stack's share and Tailmark's own.
/// </summary>
internal static class CallBaseline
{
    public static async Task<(double SdkMicros, double HttpMicros)> MeasureAsync(Uri baseUrl, IReadOnlyList<(ResponseRow Row, Rubric Rubric)> work, int concurrency)
    {
        var prompts = work.SelectMany(w => w.Rubric.Criteria.Select(c => JudgePrompts.Preamble(JudgePrompts.Conversation(w.Rubric.Prompt), w.Row.Response) + JudgePrompts.Criteria([c]))).ToList();
        var sdk = new ChatClient("sim-judge", new ApiKeyCredential("not-needed"), new OpenAIClientOptions { Endpoint = baseUrl, RetryPolicy = new ClientRetryPolicy(0) });
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 64 + 48, ResponseFormat = ChatResponseFormat.CreateJsonObjectFormat() };
        var sdkMicros = await CpuPerCall(prompts, concurrency, async p =>
        {
            ChatCompletion completion = await sdk.CompleteChatAsync([new SystemChatMessage(JudgePrompts.System), new UserChatMessage(p)], options);
            _ = completion.Content[0].Text;
        });
        using var http = new HttpClient { BaseAddress = baseUrl.AbsoluteUri.EndsWith('/') ? baseUrl : new Uri(baseUrl.AbsoluteUri + "/") };
        var httpMicros = await CpuPerCall(prompts, concurrency, async p =>
        {
            var body = JsonOutput.Render(w =>
            {
                w.WriteStartObject();
                w.WriteString("model", "sim-judge");
                w.WriteStartArray("messages");
                foreach (var (role, content) in new[] { ("system", JudgePrompts.System), ("user", p) })
                {
                    w.WriteStartObject();
                    w.WriteString("role", role);
                    w.WriteString("content", content);
                    w.WriteEndObject();
                }
                w.WriteEndArray();
                w.WriteNumber("temperature", 0);
                w.WriteNumber("max_tokens", 112);
                w.WriteEndObject();
            });
            using var response = await http.PostAsync("chat/completions", new StringContent(body, Encoding.UTF8, "application/json"));
            using var doc = JsonDocument.Parse(await response.Content.ReadAsStreamAsync());
            _ = doc.RootElement.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString();
        });
        return (sdkMicros, httpMicros);
    }

    private static async Task<double> CpuPerCall(List<string> prompts, int concurrency, Func<string, Task> call)
    {
        var cpu = Process.GetCurrentProcess().TotalProcessorTime;
        await Parallel.ForEachAsync(prompts, new ParallelOptions { MaxDegreeOfParallelism = concurrency }, async (p, _) => await call(p));
        return (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalMilliseconds * 1000 / prompts.Count;
    }
}
