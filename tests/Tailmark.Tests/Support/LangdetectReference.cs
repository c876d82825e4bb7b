using System.Diagnostics;
using System.Text.Json;

namespace Tailmark.Tests.Support;

/// <summary>
/// langdetect 1.0.9 itself — the detector IFEval's reference implementation calls — run in a Python process, as
/// the independent reference for our detector. Debian packages it (python3-langdetect, for /usr/bin/python3);
/// .ci/run installs it. Each text is detected with several seeds, so a test can tell the texts whose answer is
/// stable from the borderline ones where langdetect's own answer changes from run to run.
/// </summary>
public static class LangdetectReference
{
    // Reads JSON strings, one per line; writes, per text, a JSON list of the answers for seeds 0..n-1
    // (null where langdetect finds no features and raises).
    private const string Script = """
        import json, sys
        import langdetect.detector_factory as factory
        from langdetect.lang_detect_exception import LangDetectException
        factory.init_factory()
        seeds = int(sys.argv[1])
        for line in sys.stdin:
            text = json.loads(line)
            answers = []
            for seed in range(seeds):
                factory._factory.seed = seed
                detector = factory._factory.create()
                detector.append(text)
                try:
                    answers.append(detector.detect())
                except LangDetectException:
                    answers.append(None)
            print(json.dumps(answers), flush=True)
        """;

    /// <summary>The answers of <paramref name="seeds"/> seeded langdetect runs for each text.</summary>
    public static async Task<List<string?[]>> DetectAsync(IReadOnlyList<string> texts, int seeds)
    {
        var python = FindPython();
        var start = new ProcessStartInfo(python, ["-c", Script, seeds.ToString()])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var feed = Task.Run(async () =>
        {
            foreach (var text in texts) await process.StandardInput.WriteLineAsync(JsonSerializer.Serialize(text));
            process.StandardInput.Close();
        });
        var errors = process.StandardError.ReadToEndAsync();
        var answers = new List<string?[]>();
        while (await process.StandardOutput.ReadLineAsync() is { } line) answers.Add(JsonSerializer.Deserialize<string?[]>(line)!);
        await feed;
        await process.WaitForExitAsync();
        if (process.ExitCode != 0 || answers.Count != texts.Count)
            throw new InvalidOperationException($"langdetect ({python}) failed after {answers.Count} of {texts.Count} texts: {await errors}");
        return answers;
    }

    /// <summary>A Python that imports langdetect: python3 on the PATH, else Debian's /usr/bin/python3.</summary>
    private static string FindPython()
    {
        foreach (var candidate in new[] { "python3", "/usr/bin/python3" })
        {
            try
            {
                using var probe = Process.Start(new ProcessStartInfo(candidate, ["-c", "import langdetect"]) { RedirectStandardError = true })!;
                probe.WaitForExit();
                if (probe.ExitCode == 0) return candidate;
            }
            catch (System.ComponentModel.Win32Exception)
            {
                // not installed under that name
            }
        }
        throw new InvalidOperationException("No Python with langdetect: install Debian's python3-langdetect (apt-get install python3-langdetect), as .ci/run " +
            "does.");
    }
}
