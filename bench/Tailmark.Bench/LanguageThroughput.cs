using System.Diagnostics;
using System.Text.Json;
using Tailmark.Checks.Language;

namespace Tailmark.Bench;

/// <summary>
/// Language identification alone: every one of the 541 GPT-4 responses (about 1,200 characters on average, most
/// in English, some in the languages IFEval asks for) identified on one thread, round after round, after a
/// warm-up round; microseconds per text for the fastest and the median round.
/// </summary>
internal static class LanguageThroughput
{
    public static int Run(string[] args)
    {
        var data = args.Length > 0 ? args[0] : Path.Combine("tests", "data", "ifeval");
        var rounds = args.Length > 1 ? int.Parse(args[1], System.Globalization.CultureInfo.InvariantCulture) : 30;
        var texts = File.ReadLines(Path.Combine(data, "input_response_data_gpt4_20231107_145030.jsonl"))
            .Select(l => JsonDocument.Parse(l).RootElement.GetProperty("response").GetString()!).ToList();
        foreach (var text in texts) LanguageDetector.Detect(text); // warm-up
        var perText = new List<double>();
        for (var round = 0; round < rounds; round++)
        {
            var sw = Stopwatch.StartNew();
            foreach (var text in texts) LanguageDetector.Detect(text);
            perText.Add(sw.Elapsed.TotalMicroseconds / texts.Count);
        }
        perText.Sort();
        Console.WriteLine($"language identification: fastest round {perText[0]:F1} µs per text, median {perText[perText.Count / 2]:F1} µs " +
            $"({texts.Count} texts, {texts.Average(t => t.Length):F0} characters on average, {rounds} rounds)");
        return 0;
    }
}
