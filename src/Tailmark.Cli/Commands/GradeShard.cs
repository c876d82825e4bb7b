using System.CommandLine;
using System.Globalization;
using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.Extensions.AI;
using Tailmark.Grading;
using Tailmark.Grading.Sharding;
using Tailmark.Io;
using Tailmark.Llm;

namespace Tailmark.Cli.Commands;

/// <summary>
/// <c>grade --shard I/N</c>: the plan over the whole input (every part reads it all, so every part cuts it the same
/// way), the rows this part grades, and the manifest it writes beside its rows for <c>tailmark merge</c>.
/// </summary>
internal sealed class GradeShard
{
    // Options that change how a run goes on this machine but not a byte of its rows; every other option of `grade` is
    // a setting the parts must share. The judges are recorded as their model and request options (not their URLs,
    // which differ between machines reaching the same server), the input and the rubrics by their digests.
    private static readonly HashSet<string> Local = new(StringComparer.Ordinal)
    {
        "--responses", "--out", "--cache", "--no-cache", "--concurrency", "--timeout", "--retries", "--summary", "--dry-run",
        "--shard", "--endpoints", "--judge", "--sim-faults", "--sim-capacity",
    };

    private static readonly HashSet<string> Files = new(StringComparer.Ordinal) { "--rubrics", "--scoring" };

    private readonly List<int> _lines = [];

    private GradeShard(ShardSpec spec, ShardPlan plan, string inputSha256, int inputRows)
    {
        Spec = spec;
        Plan = plan;
        InputSha256 = inputSha256;
        InputRows = inputRows;
    }

    public ShardSpec Spec { get; }

    public ShardPlan Plan { get; }

    public string InputSha256 { get; }

    public int InputRows { get; }

    /// <summary>The rows of this part.</summary>
    public int Rows => Plan.Rows[Spec.Index - 1];

    /// <summary>The part an option's text names, or a usage error (exit 2) saying what is wrong with it and with the paths it must write.</summary>
    public static ShardSpec? Parse(string? text, string responses, string output)
    {
        if (text is null) return null;
        ShardSpec spec;
        try
        {
            spec = ShardSpec.Parse(text);
        }
        catch (FormatException ex)
        {
            throw new UsageException(ex.Message);
        }
        if (responses == "-") throw new UsageException("--shard reads the input twice (to plan the parts, then to grade its own); give --responses a file, " +
            "not standard input");
        if (output == "-") throw new UsageException("--shard writes a manifest beside its rows; give --out a file, not standard output");
        if (output.EndsWith(".json",
            StringComparison.OrdinalIgnoreCase)) throw new UsageException("--shard writes JSONL rows for `tailmark merge`; give --out a .jsonl file, not a " +
                ".json array");
        return spec;
    }

    /// <summary>Reads the whole input once to plan the parts: a prompt's weight is the criteria its rows are judged on.</summary>
    public static async Task<GradeShard> PlanAsync(ShardSpec spec, string responses, RubricSet set, CancellationToken ct)
    {
        var rows = new List<ShardRow>();
        // This pass only plans; the grading pass reports the problems of this part's rows.
        var ignored = new List<InputIssue>();
        await foreach (var (row, line) in GradeCommand.ReadRowsAsync(responses, set.HasPrompt, ignored, ct))
        {
            rows.Add(new ShardRow(row?.PromptId, line, row is null ? 0 : Math.Max(1, set.ItemFor(row)!.Rubric.Criteria.Length)));
            ignored.Clear();
        }
        var plan = ShardPlan.Build(rows, spec.Count);
        return new GradeShard(spec, plan, await ShardManifest.Sha256Async(responses, ct), rows.Count);
    }

    /// <summary>
    /// The rows of SHARD's part as <see cref="GradeCommand.ReadRowsAsync"/> reads them, with the problems of those rows
    /// only (another part reports the rest); every row when SHARD is null.
    /// </summary>
    public static async IAsyncEnumerable<(ResponseRow? Row, int Line)> RowsAsync(GradeShard? shard, string path, RubricSet set, List<InputIssue> issues,
        [EnumeratorCancellation] CancellationToken ct)
    {
        var rowIssues = shard is null ? issues : [];
        await foreach (var (row, line) in GradeCommand.ReadRowsAsync(path, set.HasPrompt, rowIssues, ct))
        {
            if (shard is not null)
            {
                var owned = shard.Plan.PartOf(row?.PromptId, line) == shard.Spec.Index;
                if (owned) lock (issues) issues.AddRange(rowIssues);
                rowIssues.Clear();
                if (!owned) continue;
            }
            yield return (row, line);
        }
    }

    /// <summary>Notes that the row from LINE was written (rows come in input order).</summary>
    public void Written(int line) => _lines.Add(line);

    public string Describe() => string.Create(CultureInfo.InvariantCulture,
        $"part {Spec}: {Rows:#,0} of {InputRows:#,0} rows, {Plan.Weights[Spec.Index - 1]:#,0} of {Plan.Weights.Sum():#,0} judged criteria (heaviest " +
            $"part {Plan.Imbalance:0.000}× the mean)");

    /// <summary>Writes the manifest beside OUTPUT, once its rows are in place.</summary>
    public async Task WriteManifestAsync(ParseResult parse, IEnumerable<IChatClient> judges, string output, bool clipRunMean, GradeSummary summary,
        CancellationToken ct)
    {
        using var doc = JsonDocument.Parse(summary.ToJson());
        var manifest = new ShardManifest(Spec, ShardPlan.Rule, InputSha256, InputRows, await SettingsAsync(parse, judges, ct),
            await ShardManifest.Sha256Async(output, ct), _lines, clipRunMean, doc.RootElement.Clone());
        await manifest.WriteAsync(ShardManifest.PathFor(output), ct);
    }

    /// <summary>Every option that decides a row's bytes, by name: its value, or the digest of the file it names.</summary>
    private static async Task<Dictionary<string, string>> SettingsAsync(ParseResult parse, IEnumerable<IChatClient> judges, CancellationToken ct)
    {
        var settings = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var option in parse.CommandResult.Command.Options)
        {
            if (Local.Contains(option.Name) || option.Name.StartsWith("-h", StringComparison.Ordinal) || option.Name == "--help") continue;
            var value = parse.GetResult(option)?.GetValueOrDefault<object?>();
            var text = value switch
            {
                null => "",
                string[] many => string.Join(", ", many),
                IFormattable f => f.ToString(null, CultureInfo.InvariantCulture),
                var v => v.ToString() ?? "",
            };
            if (Files.Contains(option.Name) && File.Exists(text)) text = "sha256:" + await ShardManifest.Sha256Async(text, ct);
            settings[option.Name] = text;
        }
        settings["--judge"] = string.Join(", ", judges.Select(j => j.Endpoint()).Select(e => $"{e.Kind}:{e.Model} {e.Request}"));
        return settings;
    }
}
