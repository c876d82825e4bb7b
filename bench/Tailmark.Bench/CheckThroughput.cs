using System.Diagnostics;
using Tailmark.Checks.IfEval;

namespace Tailmark.Bench;

/// <summary>
/// Instruction checks per second on one core: every IFEval instruction of the 541 GPT-4 responses checked in
/// strict mode, on one thread, repeatedly, after a warm-up round.
/// </summary>
internal static class CheckThroughput
{
    public static async Task<int> RunAsync(string[] args)
    {
        var data = args.Length > 0 ? args[0] : Path.Combine("tests", "data", "ifeval");
        var seconds = args.Length > 1 ? double.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 5;
        var items = await IfEvalInput.ReadItemsAsync(Path.Combine(data, "input_data.jsonl"));
        var responses = await IfEvalInput.ReadResponsesAsync(Path.Combine(data, "input_response_data_gpt4_20231107_145030.jsonl"));
        var pairs = IfEvalEvaluator.Match(items, responses, "input", "responses");
        var perRound = pairs.Sum(p => p.Item.Checks.Length);
        RunOnce(pairs); // warm-up
        // The machine's speed varies from second to second (shared virtual cores), so measure many short
        // windows and report the median window as well as the slowest and fastest.
        var rates = new List<double>();
        var total = Stopwatch.StartNew();
        while (total.Elapsed.TotalSeconds < seconds)
        {
            var sw = Stopwatch.StartNew();
            var rounds = 0;
            while (sw.Elapsed.TotalSeconds < 0.5)
            {
                RunOnce(pairs);
                rounds++;
            }
            rates.Add(rounds * perRound / sw.Elapsed.TotalSeconds);
        }
        rates.Sort();
        Console.WriteLine($"instruction checks per second on one thread: median {rates[rates.Count / 2]:F0}, slowest {rates[0]:F0}, " +
            $"fastest {rates[^1]:F0} ({rates.Count} windows of 0.5 s, {perRound} checks per round)");
        if (args.Contains("--by-type")) ByType(pairs);
        return 0;
    }

    /// <summary>Where the time goes: total time per instruction type over ten rounds.</summary>
    private static void ByType(IReadOnlyList<(IfEvalItem Item, string Response)> pairs)
    {
        var per = new Dictionary<string, (long Ticks, int Count, long Allocated)>();
        for (var round = 0; round < 10; round++)
        {
            foreach (var (item, response) in pairs)
            {
                for (var i = 0; i < item.Checks.Length; i++)
                {
                    var t = Stopwatch.GetTimestamp();
                    var bytes = GC.GetAllocatedBytesForCurrentThread();
                    item.Checks[i].IsFollowed(response);
                    var (ticks, count, allocated) = per.GetValueOrDefault(item.InstructionIds[i]);
                    per[item.InstructionIds[i]] = (ticks + Stopwatch.GetTimestamp() - t, count + 1, allocated + GC.GetAllocatedBytesForCurrentThread() - bytes);
                }
            }
        }
        foreach (var (id, (ticks, count, allocated)) in per.OrderByDescending(kv => kv.Value.Ticks))
        {
            Console.WriteLine($"  {id,-48} {ticks * 1e3 / Stopwatch.Frequency,8:F1} ms total  {ticks * 1e6 / Stopwatch.Frequency / count,8:F1} µs each " +
                $" {allocated / count / 1024.0,8:F1} KiB each");
        }
    }

    private static void RunOnce(IReadOnlyList<(IfEvalItem Item, string Response)> pairs)
    {
        foreach (var (item, response) in pairs)
        {
            foreach (var check in item.Checks) check.IsFollowed(response);
        }
    }
}
