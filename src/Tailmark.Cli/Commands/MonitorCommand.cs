using System.CommandLine;
using Tailmark.Cli.Hosting;
using Tailmark.Io;
using Tailmark.Monitoring;

namespace Tailmark.Cli.Commands;

/// <summary>
/// <c>tailmark monitor URL...</c>: the over-optimization monitor over several reward-server replicas — each replica's
/// <c>/v1/monitor</c> read and added up (counts of the same prompt and step summed, figures and saturation recomputed),
/// written as one monitor JSON with the replicas that answered. A replica that does not answer is a warning and marks
/// the result partial; none answering is an error.
/// </summary>
internal static class MonitorCommand
{
    public static Command Create()
    {
        var replicas = new Argument<string[]>("replicas")
            { Description = "Each replica's base URL (not the balancer's: it answers from any one replica).", Arity = ArgumentArity.OneOrMore };
        var output = new Option<string>("--out", "-o")
            { Description = "Where to write the merged monitor JSON ('-': standard output).", DefaultValueFactory = _ => "-" };
        var token = new Option<string?>("--token")
            { Description = "The replicas' bearer token. Visible in the process list: prefer --token-file or TAILMARK_TOKEN." };
        var tokenFile = new Option<string?>("--token-file") { Description = "Read the bearer token from this file (its first line)." };
        var timeout = new Option<double>("--timeout-seconds") { Description = "How long to wait for each replica.", DefaultValueFactory = _ => 10 };
        var requireAll = new Option<bool>("--require-all")
            { Description = "Exit 1 unless every replica answered (by default a partial merge is written, with warnings)." };
        var command = new Command("monitor", "Add up the over-optimization monitors (/v1/monitor) of several reward-server replicas into one.")
        {
            replicas, output, token, tokenFile, timeout, requireAll,
        };
        command.SetAction(async (parse, ct) =>
        {
            var urls = parse.GetValue(replicas)!.Select(ReplicaUrl.Parse("a replica")).ToList();
            var seconds = parse.GetValue(timeout);
            if (!double.IsFinite(seconds) || seconds <= 0
                || seconds > 3600) throw new UsageException($"--timeout-seconds must be between 0 and 3600, not {seconds}");
            var bearer = BearerToken.Read(parse.GetValue(token), parse.GetValue(tokenFile));
            using var http = new HttpClient { Timeout = Timeout.InfiniteTimeSpan };
            var answers = await ReplicaMonitors.FetchAsync(http, urls, bearer, TimeSpan.FromSeconds(seconds), ct);
            foreach (var failed in answers.Where(a => a.Table is null)) Console.Error.WriteLine($"warning: {failed.Url}: no monitor: {failed.Error}");
            var answered = answers.Count(a => a.Table is not null);
            if (answered == 0)
            {
                Console.Error.WriteLine($"error: none of the {answers.Count} replicas answered with a monitor");
                return CommandRunner.Failed;
            }
            var json = ReplicaMonitors.Render(answers);
            var outPath = parse.GetValue(output)!;
            if (outPath == "-") Console.Out.WriteLine(json);
            else await JsonRowSink.WriteTextAsync(outPath, json + "\n", ct);
            var (merged, duplicates) = ReplicaMonitors.Merge(answers);
            foreach (var (replica, same) in duplicates) Console.Error.WriteLine($"warning: {replica.Url} is the same server as {same}: counted once");
            Console.Error.WriteLine($"merged the monitors of {answered - duplicates.Count} of {answers.Count - duplicates.Count} replicas: " +
                $"{merged.Prompts.Count} prompts, " +
                $"{merged.SaturatedCriteria()} criteria saturated in their latest step{(outPath == "-" ? "" : $"; written to {outPath}")}");
            return parse.GetValue(requireAll) && answered < answers.Count ? CommandRunner.Failed : CommandRunner.Ok;
        });
        return command;
    }
}
