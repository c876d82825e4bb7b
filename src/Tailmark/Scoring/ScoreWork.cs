using Tailmark.Rubrics;

namespace Tailmark.Scoring;

/// <summary>The mutable state the pipeline's stages pass along for one response.</summary>
internal sealed class ScoreWork
{
    public ScoreWork(Rubric rubric, ScoringConfig config)
    {
        Rubric = rubric;
        Config = config;
    }

    public Rubric Rubric { get; }
    public ScoringConfig Config { get; }
    public List<WorkItem> Items { get; } = [];
    public List<RewardDiagnostic> Diagnostics { get; } = [];
    public double InteractionBonus { get; set; }
    public double InteractionPenalty { get; set; }
    public double SynergyMass { get; set; }
    public double Denominator { get; set; }
    public double? Raw { get; set; }
    public double? Clipped { get; set; }
    public double? Shaped { get; set; }
    public string? VetoedBy { get; set; }
    public bool Failed { get; set; }

    /// <summary>Share of the judged weight with a verdict; null when the rubric has no judged weight.</summary>
    public double? JudgedCoverage { get; set; }

    /// <summary>Less of the judged weight got a verdict than the configuration requires: the reward is undefined.</summary>
    public bool Uncovered { get; set; }

    public IEnumerable<WorkItem> Counted => Items.Where(i => i.Counted);
}

/// <summary>One criterion in flight through the pipeline.</summary>
internal sealed class WorkItem
{
    public WorkItem(Criterion criterion, Verdict verdict)
    {
        Criterion = criterion;
        Verdict = verdict;
    }

    public Criterion Criterion { get; }
    public Verdict Verdict { get; }
    public bool Counted { get; set; }
    public double Value { get; set; }
    public double Contribution { get; set; }
    public double Weight => Criterion.Weight;
}
