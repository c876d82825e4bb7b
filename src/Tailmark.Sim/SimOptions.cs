namespace Tailmark.Sim;

/// <summary>The simulated world's knobs. Defaults give a realistic but honest world.</summary>
public sealed record SimOptions
{
    public int Seed { get; init; } = 7;
    public int Tasks { get; init; } = 64;

    /// <summary>Chance that the judge flips a verdict on a criterion it can map to the response's content.</summary>
    public double JudgeErrorRate { get; init; } = 0.05;

    /// <summary>Share of judging that obeys an instruction planted in a response.</summary>
    public double InjectionShare { get; init; } = 0.5;

    /// <summary>Chance that the proposer returns malformed JSON.</summary>
    public double ProposerMalformedRate { get; init; } = 0.05;

    /// <summary>
    /// Chance that the proposer, writing a rubric from the prompt alone, takes one of the task's mistakes for advice and
    /// rewards it (weight 2): the rubric flaw through which proxy and gold part in <c>experiment rl</c>. Decided per task
    /// and mistake, apart from the proposer's other choices; 0 by default (other experiments see no such flaw).
    /// </summary>
    public double ProposerMistakeRate { get; init; }

    /// <summary>Chance that the oracle prefers the response with the lower gold reward.</summary>
    public double OracleNoise { get; init; } = 0.05;

    /// <summary>How the judge and the proposer write their answers (<see cref="SimDialect"/>); clean by default.</summary>
    public SimPerModel<SimDialect> Dialects { get; init; } = SimPerModel<SimDialect>.Uniform(SimDialect.Clean);

    /// <summary>What each model's server does with response_format (<see cref="SimStructuredOutput"/>); ignored by default.</summary>
    public SimPerModel<SimStructuredOutput> StructuredOutputs { get; init; } = SimPerModel<SimStructuredOutput>.Uniform(SimStructuredOutput.Ignore);

    /// <summary>The models dialects apply to.</summary>
    public static IReadOnlyList<string> DialectModels { get; } = [SimModels.Judge, SimModels.Proposer];

    /// <summary>Parses a <c>--sim-dialect</c> spec (<c>mixed</c>, <c>sim-judge=think,sim-proposer=fenced</c>, …).</summary>
    public static SimPerModel<SimDialect> ParseDialects(string? spec, string option = "--sim-dialect") =>
        SimPerModel<SimDialect>.Parse(spec, option, SimDialect.Clean, [.. DialectModels]);

    /// <summary>Parses a <c>--sim-structured</c> spec (<c>honour</c>, <c>sim-judge=json-object-only</c>, …); any model may be named.</summary>
    public static SimPerModel<SimStructuredOutput> ParseStructuredOutputs(string? spec, string option = "--sim-structured") =>
        SimPerModel<SimStructuredOutput>.Parse(spec, option, SimStructuredOutput.Ignore, [.. SimModels.Names]);

    public void Validate()
    {
        if (Tasks < 1) throw new ArgumentOutOfRangeException(nameof(Tasks), Tasks, "at least 1");
        foreach (var (name, value) in new[] { (nameof(JudgeErrorRate), JudgeErrorRate), (nameof(InjectionShare), InjectionShare),
            (nameof(ProposerMalformedRate), ProposerMalformedRate), (nameof(OracleNoise), OracleNoise),
            (nameof(ProposerMistakeRate), ProposerMistakeRate) })
        {
            if (value is < 0 or > 1 || double.IsNaN(value)) throw new ArgumentOutOfRangeException(name, value, "a rate in [0,1]");
        }
    }
}
