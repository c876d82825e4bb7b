using System.CommandLine;
using System.Globalization;
using Spectre.Console;
using Tailmark.Checks.IfEval;
using Tailmark.Checks.Language;
using Tailmark.Io;

namespace Tailmark.Cli.Commands;

/// <summary>
/// <c>tailmark check ifeval --input DATA --responses RESPONSES --out DIR</c>: IFEval's strict and loose
/// evaluation, writing the reference's result files and printing the accuracies.
/// </summary>
internal static class CheckCommand
{
    public static Command Create()
    {
        var input = new Option<string>("--input", "-i") { Description = "IFEval input data JSONL: key, prompt, instruction_id_list, kwargs.", Required = true };
        var responses = new Option<string>("--responses", "-r") { Description = "Responses JSONL: prompt, response.", Required = true };
        var output = new Option<string>("--out", "-o") { Description = "Folder for eval_results_strict.jsonl and eval_results_loose.jsonl.", Required = true };
        var ifeval = new Command("ifeval",
            "Evaluate responses on IFEval's verifiable instructions, strict and loose, exactly as the reference implementation does.")
        {
            input, responses, output,
        };
        ifeval.SetAction(async (parse, ct) =>
        {
            // Language identification loads its profiles and compiles its vector code (tens of ms) while the input is read.
            var warmUp = Task.Run(LanguageDetector.WarmUp, ct);
            var inputPath = parse.GetValue(input)!;
            var responsesPath = parse.GetValue(responses)!;
            var items = await IfEvalInput.ReadItemsAsync(inputPath, ct);
            var pairs = IfEvalEvaluator.Match(items, await IfEvalInput.ReadResponsesAsync(responsesPath, ct), inputPath, responsesPath);
            var (strict, loose) = IfEvalEvaluator.RunBoth(pairs, ct);
            await warmUp;
            var dir = parse.GetValue(output)!;
            // Both files or neither: each is staged, and the two are moved into place only once both are written.
            using var strictFile = StagedFile.For(Path.Combine(dir, "eval_results_strict.jsonl"));
            using var looseFile = StagedFile.For(Path.Combine(dir, "eval_results_loose.jsonl"));
            await Task.WhenAll(
                Task.Run(() => IfEvalResultWriter.WriteFile(strictFile.Path, strict), ct),
                Task.Run(() => IfEvalResultWriter.WriteFile(looseFile.Path, loose), ct));
            strictFile.Commit();
            looseFile.Commit();
            Print(IfEvalAccuracy.Of(strict), IfEvalAccuracy.Of(loose), items.Count, dir);
            return CommandRunner.Ok;
        });
        return new Command("check", "Run verifiable checks over responses.") { ifeval };
    }

    private static void Print(IfEvalAccuracy strict, IfEvalAccuracy loose, int prompts, string dir)
    {
        static string F(double v) => v.ToString("0.000000", CultureInfo.InvariantCulture);
        var out_ = CommandRunner.Out;
        out_.MarkupLine($"{prompts} prompts; results in {Markup.Escape(dir)}");
        var summary = new Table().Border(TableBorder.Rounded).AddColumns("mode", "prompt-level accuracy", "instruction-level accuracy");
        summary.AddRow("strict", F(strict.PromptLevel), F(strict.InstructionLevel));
        summary.AddRow("loose", F(loose.PromptLevel), F(loose.InstructionLevel));
        out_.Write(summary);
        var per = new Table().Border(TableBorder.Rounded).AddColumns("instruction", "count", "strict", "loose");
        foreach (var (id, (followed, total)) in strict.PerInstruction)
        {
            var l = loose.PerInstruction[id];
            per.AddRow(id, total.ToString(CultureInfo.InvariantCulture), F((double)followed / total), F((double)l.Followed / l.Total));
        }
        out_.Write(per);
    }
}
