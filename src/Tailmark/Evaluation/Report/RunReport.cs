using Tailmark.Io;
using Tailmark.Rubrics.Formats;
using Tailmark.Rubrics;

namespace Tailmark.Evaluation.Report;

/// <summary>
/// Builds the report of a run directory from the files it recognizes (each optional, at least one required):
/// <c>graded.jsonl</c> (score distributions, pass rates; criterion texts from <c>run/rubrics.jsonl</c> or
/// <c>rubrics.jsonl</c>), <c>accuracy.jsonl</c> (tail accuracy), <c>bon.jsonl</c> (best-of-n), <c>rounds/</c> or
/// <c>run/rounds/</c> (refinement diffs), <c>monitor.json</c> (the reward server's monitor and audit), <c>rl.json</c> (the
/// simulated RL loop); the theory curves
/// are always added.
/// </summary>
public static class RunReport
{
    public const string Graded = "graded.jsonl";
    public const string Accuracy = "accuracy.jsonl";
    public const string BestOfN = "bon.jsonl";

    public sealed record Result(IReadOnlyList<ReportSection> Sections, IReadOnlyList<string> Sources);

    public static async Task<Result> BuildAsync(string runDir, CancellationToken ct = default)
    {
        if (!Directory.Exists(runDir)) throw new InputException(runDir, null, null, "run directory not found");
        var sections = new List<ReportSection>();
        var sources = new List<string>();
        string? Find(params string[] names) => names.Select(n => Path.Combine(runDir, n)).FirstOrDefault(p => File.Exists(p) || Directory.Exists(p));

        if (Find(Graded) is { } graded)
        {
            var texts = Find(Path.Combine("run", "rubrics.jsonl"), "rubrics.jsonl") is { } rubrics ? await CriterionTextsAsync(rubrics,
                ct).ConfigureAwait(false) : null;
            sections.AddRange(ScoreSections.Build(await GradedSummary.ReadAsync(graded, ct).ConfigureAwait(false), Graded, texts));
            sources.Add(Graded);
        }
        if (Find(Accuracy) is { } accuracy)
        {
            var rows = await AccuracySection.ReadAsync(accuracy, ct).ConfigureAwait(false);
            if (rows.Count > 0) sections.Add(AccuracySection.Build(rows, Accuracy));
            sources.Add(Accuracy);
        }
        if (Find(BestOfN) is { } bon)
        {
            var curves = await BestOfNSection.ReadAsync(bon, ct).ConfigureAwait(false);
            if (curves.Count > 0) sections.Add(BestOfNSection.Build(curves, BestOfN));
            sources.Add(BestOfN);
        }
        if (Find("rounds", Path.Combine("run", "rounds")) is { } roundsDir && Directory.Exists(roundsDir))
        {
            var rounds = await RefinementSection.ReadAsync(roundsDir, ct).ConfigureAwait(false);
            var relative = Path.GetRelativePath(runDir, roundsDir).Replace('\\', '/') + "/";
            if (rounds.Count > 0) sections.Add(RefinementSection.Build(rounds, relative));
            sources.Add(relative);
        }
        if (Find(MonitorSection.File) is { } monitor)
        {
            sections.Add(MonitorSection.Build(await MonitorSection.ReadAsync(monitor, ct).ConfigureAwait(false),
                await MonitorSection.ReadRefinementsAsync(monitor, ct).ConfigureAwait(false)));
            sources.Add(MonitorSection.File);
        }
        if (Find(Rl.RlFile.Name) is { } rl)
        {
            var (settings, runs) = Rl.RlFile.Read(rl);
            if (runs.Count > 0) sections.Add(RlSection.Build(settings, runs));
            sources.Add(Rl.RlFile.Name);
        }
        if (sources.Count == 0)
        {
            throw new InputException(runDir, null, null,
                $"nothing to report: the directory has none of {Graded}, {Accuracy}, {BestOfN}, {MonitorSection.File}, {Rl.RlFile.Name}, rounds/ or " +
                "run/rounds/");
        }
        sections.Add(TheorySection.Build(TheoryCurves.Compute()));
        return new Result(sections, sources);
    }

    private static async Task<IReadOnlyDictionary<(string, string), string>?> CriterionTextsAsync(string path, CancellationToken ct)
    {
        try
        {
            var rubrics = await RubricLoader.LoadAsync(path, null, ct).ConfigureAwait(false);
            return rubrics.Values.SelectMany(r => r.Criteria.Select(c => (Key: (r.Id, c.Id), c.Text))).ToDictionary(x => x.Key, x => x.Text);
        }
        catch (InputException)
        {
            return null; // texts are a nicety; a rubric file the report cannot read must not stop it
        }
    }
}
