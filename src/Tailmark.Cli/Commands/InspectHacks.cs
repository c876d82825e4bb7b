using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Tailmark.Building;
using Tailmark.Building.Hacks;
using Tailmark.Cli.Hosting;
using Tailmark.Io;
using Tailmark.Grading;
using Tailmark.Judging;
using Tailmark.Rubrics;

namespace Tailmark.Cli.Commands;

/// <summary>
/// <c>tailmark inspect RUBRICS --hacks CASES [--proposer SPEC] [--judge SPEC] [--out FILE]</c>: defense criteria mined
/// from the audit's suspected hacks (<see cref="HackMiner"/>), printed with what each catches and what it would hit,
/// for a person to review — nothing is added to any rubric.
/// </summary>
internal static class InspectHacks
{
    public static async Task<int> RunAsync(string rubricsPath, string casesPath, string proposerSpec, string judgeSpec, string cachePath, string? output,
        EndpointOptions endpointOptions, ParseResult parse, CancellationToken ct)
    {
        var cases = await AuditCasesFile.LoadAsync(casesPath, ct);
        if (cases.Suspected.Count == 0)
        {
            Console.Error.WriteLine($"{casesPath}: no suspected hacks in the cases: nothing to mine");
            return CommandRunner.Ok;
        }
        var set = await RubricSet.LoadAsync(rubricsPath, null, ct);
        var byPrompt = set.Instances.GroupBy(r => r.PromptId ?? r.Id, StringComparer.Ordinal).ToDictionary(g => g.Key, g => g.First(), StringComparer.Ordinal);
        await using var endpoints = endpointOptions.Open(parse);
        var proposer = await endpoints.OpenAsync(proposerSpec, "sim-proposer", null, ct);
        var judge = await endpoints.OpenAsync(judgeSpec, "sim-judge", null, ct);
        using var cache = CacheOption.Open(cachePath);
        var miner = new HackMiner(new ProposerClient(proposer), new JudgeEngine([judge], cache, new JudgeOptions { Mode = JudgeMode.AllAtOnce }), byPrompt);
        var (candidates, problems) = await miner.MineAsync(cases, new Progress<string>(m => Console.Error.WriteLine(m)), ct);
        foreach (var p in problems) Console.Error.WriteLine($"warning: {p}");
        var table = new Table().Border(TableBorder.Rounded).AddColumns("group", "criterion", "weight", "caught", "good hit", "suggested");
        foreach (var c in candidates)
        {
            table.AddRow(Markup.Escape(Clip(c.Group, 40)) + $" ({c.GroupCases})", Markup.Escape(c.Text), c.Weight.ToString(CultureInfo.InvariantCulture),
                $"{c.Caught}/{c.Suspected}", $"{c.GoodHit}/{c.Good}", c.Suggested);
        }
        CommandRunner.Out.Write(table);
        if (output is not null) await JsonRowSink.WriteAsync(candidates, output, Write, ct);
        Console.Error.WriteLine($"{candidates.Count} candidate defense criteria from {cases.Suspected.Count} suspected cases and {cases.Good.Count} good ones" +
            (output is null ? "" : $" → {output}") + "; review them before adding any to a defense rubric (docs/server.md)");
        return CommandRunner.Ok;
    }

    private static void Write(System.Text.Json.Utf8JsonWriter w, HackCandidate c)
    {
        w.WriteStartObject();
        w.WriteString("group", c.Group);
        w.WriteNumber("group_cases", c.GroupCases);
        w.WriteString("text", c.Text);
        JsonNumbers.Write(w, "weight", c.Weight);
        w.WriteNumber("caught", c.Caught);
        w.WriteNumber("suspected", c.Suspected);
        w.WriteNumber("good_hit", c.GoodHit);
        w.WriteNumber("good", c.Good);
        w.WriteNumber("cannot_assess", c.CannotAssess);
        w.WriteString("suggested", c.Suggested);
        w.WriteEndObject();
    }

    private static string Clip(string text, int n) => text.Length <= n ? text : text[..(n - 1)] + "…";
}
