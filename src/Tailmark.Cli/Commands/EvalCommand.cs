using System.CommandLine;
using System.Globalization;
using System.Text.Json;
using Spectre.Console;
using Tailmark.Checks;
using Tailmark.Cli.Hosting;
using Tailmark.Grading;
using Tailmark.Evaluation;
using Tailmark.Io;
using Tailmark.Judging;
using Tailmark.Rubrics;
using Tailmark.Scoring;
using Tailmark.Sim;
using Tailmark.Storage;

namespace Tailmark.Cli.Commands;

/// <summary><c>tailmark eval bon</c>: exact best-of-n curves of proxy and gold reward over a scored pool.</summary>
internal static class EvalCommand
{
    public static Command Create()
    {
        var pool = new Option<string>("--pool")
            { Description = "Candidate responses (response rows; a numeric \"gold\" field is used as gold).", Required = true };
        var shared = new EvalOptions("Rubrics giving the proxy reward (instance rubrics by prompt_id).");
        var gold = new Option<string>("--gold")
            { Description = "Where gold comes from: field (the rows' \"gold\") or sim (the simulated world's gold of each text).", DefaultValueFactory = _ =>
                "field" };
        var maxN = new Option<int?>("--max-n") { Description = "Largest n (default: the largest pool size)." };
        var output = new Option<string?>("--out", "-o") { Description = "Write the whole curve (n, kl, proxy, gold) as JSONL." };
        var bon = new Command("bon",
            "Best-of-n curves on a scored pool, computed exactly from order statistics: where gold stops rising while the proxy still climbs.")
        {
            pool, gold, maxN, output,
        };
        shared.AddTo(bon);
        bon.SetAction(async (parse, ct) =>
        {
            var goldSource = parse.GetValue(gold);
            if (goldSource is not ("field" or "sim")) throw new UsageException($"--gold must be field or sim, not '{goldSource}'");
            var rows = await ResponseRow.LoadOrderedAsync(parse.GetValue(pool)!, ct);
            var set = await shared.RubricsAsync(parse, ct);
            var simOptions = shared.Endpoint.Bind(parse);
            var world = goldSource == "sim" ? new SimWorld(simOptions.World.Seed, simOptions.World.Tasks) : null;
            // Gold first, so that a pool without it fails before any judge call.
            var items = new List<GradeItem>();
            var missing = new List<string>();
            foreach (var r in rows)
            {
                if (set.ItemFor(r) is not { } item)
                {
                    missing.Add(r.PromptId);
                    continue;
                }
                double g;
                if (world is not null)
                {
                    var task = world.TaskById(r.PromptId)
                        ?? throw new Io.InputException(parse.GetValue(pool)!, null, "prompt_id",
                            $"\"{r.PromptId}\" is not a task of the simulated world (check --sim-seed and --sim-tasks)");
                    g = SimWorld.Gold(task, r.Response);
                }
                else if (r.Extra.TryGetValue("gold", out var ge) && ge.ValueKind == JsonValueKind.Number)
                {
                    g = ge.GetDouble();
                    // 1e400 parses as infinity: a best-of-n curve over it would be meaningless, not merely wrong.
                    if (!double.IsFinite(g)) throw new Io.InputException(parse.GetValue(pool)!, null, "gold",
                        $"response {r.ResponseId} of {r.PromptId} has gold {ge.GetRawText()}, not a finite number");
                }
                else
                {
                    throw new Io.InputException(parse.GetValue(pool)!, null, "gold",
                        $"response {r.ResponseId} of {r.PromptId} has no numeric gold (use --gold sim for simulated pools)");
                }
                items.Add(item with { State = g });
            }
            await using var opened = await shared.OpenAsync(parse, new JudgeOptions { Mode = JudgeMode.AllAtOnce }, ct);
            var candidates = (await opened.Batch.GradeAllAsync(items, null, ct))
                .Select(o => new BestOfN.Candidate(o.Item.Response.PromptId, o.GradedOrThrow().Result.Reward, (double)o.Item.State!)).ToList();
            foreach (var p in missing.Distinct()) Console.Error.WriteLine($"warning: no rubric for prompt {p}; its responses are left out");
            if (candidates.Count == 0) throw new Io.InputException(parse.GetValue(pool)!, null, null, "no response could be scored");
            var n = parse.GetValue(maxN) ?? candidates.GroupBy(c => c.PromptId).Max(g => g.Count());
            if (n < 1) throw new UsageException("--max-n must be at least 1");
            var curve = BestOfN.Curve(candidates, n);
            var table = new Table().Border(TableBorder.Rounded).AddColumns("n", "KL", "expected proxy", "expected gold");
            foreach (var point in curve.Where(p => p.N == 1 || p.N == curve.Count || (p.N & (p.N - 1)) == 0))
            {
                table.AddRow(point.N.ToString(CultureInfo.InvariantCulture), point.Kl.ToString("0.0000", CultureInfo.InvariantCulture),
                    point.Proxy.ToString("0.0000", CultureInfo.InvariantCulture), point.Gold.ToString("0.0000", CultureInfo.InvariantCulture));
            }
            CommandRunner.Out.MarkupLine($"Best-of-n over {candidates.Count} responses to {candidates.Select(c => c.PromptId).Distinct().Count()} prompts " +
                $"(exact, proxy ties broken uniformly):");
            CommandRunner.Out.Write(table);
            CommandRunner.Out.WriteLine(BestOfN.GoldPeak(curve) is { } peak
                ? $"over-optimization: gold peaks at n = {peak} while the proxy keeps rising to n = {curve.Count}"
                : "gold still rises with the proxy at every n shown");
            if (parse.GetValue(output) is { } path)
            {
                await JsonRowSink.WriteAsync(curve, path, (w, p) => BestOfNRowWriter.Write(w, p), ct);
            }
            return CommandRunner.Ok;
        });
        return new Command("eval", "Evaluate rewards: how well they rank responses, especially the best ones.") { bon, EvalPairsCommand.Create() };
    }
}
