namespace Tailmark.Sim;

/// <summary>
/// Dispatches a request to the simulated model it names and shapes the completions: <c>n</c> choices, each
/// determined by (world seed, model, request content, request seed, choice index); the judge's and proposer's dialect
/// (and constrained decoding, where the server honours response_format); truncation at <c>max_tokens</c>, which
/// reasoning counts against (finish reason "length"); log probabilities of the judge's verdict tokens.
/// </summary>
public sealed class SimModels
{
    public const string Judge = "sim-judge";
    public const string Proposer = "sim-proposer";
    public const string Oracle = "sim-oracle";

    /// <summary>
    /// A stronger simulated judge for audits: the same reading of criteria as <see cref="Judge"/>, but it never errs and
    /// never obeys an instruction planted in a response — what a reference judge is for.
    /// </summary>
    public const string ReferenceJudge = "sim-judge-reference";

    private readonly SimJudge _judge;
    private readonly SimProposer _proposer;
    private readonly SimOracle _oracle;
    private readonly SimJudge _reference;

    public SimModels(SimWorld world, SimOptions options)
    {
        options.Validate();
        World = world;
        Options = options;
        _judge = new SimJudge(world, options);
        _proposer = new SimProposer(world, options);
        _oracle = new SimOracle(world, options);
        _reference = new SimJudge(world, options with { JudgeErrorRate = 0, InjectionShare = 0 });
    }

    public SimWorld World { get; }
    public SimOptions Options { get; }

    public static IReadOnlyList<string> Names { get; } =
        [.. SimGenerators.All.Select(g => g.Name), Judge, Proposer, Oracle, ReferenceJudge];

    public static bool Exists(string model) => Names.Contains(model);

    public IReadOnlyList<SimChoice> Respond(SimRequest request)
    {
        if (!Exists(request.Model)) throw new ArgumentException($"unknown simulated model '{request.Model}'", nameof(request));
        var choices = new List<SimChoice>(request.N);
        for (var i = 0; i < request.N; i++) choices.Add(Shape(request, One(request, i, out var decisions), decisions));
        return choices;
    }

    private SimAnswer One(SimRequest request, int choice, out IReadOnlyList<SimJudge.Decision>? decisions)
    {
        decisions = null;
        switch (request.Model)
        {
            case Judge or ReferenceJudge:
                decisions = (request.Model == Judge ? _judge : _reference).Decide(request, choice);
                return SimDialectWriter.Judge(decisions, Options.Dialects.For(Judge),
                    SimHash.Random(World.Seed, "dialect", request.Model, request.Text, request.Seed, choice),
                    request.ReasoningEffort, ConstrainedTo(request));
            case Proposer:
                return _proposer.Respond(request, choice, Options.Dialects.For(Proposer), ConstrainedTo(request));
            case Oracle:
                return new SimAnswer(_oracle.Respond(request, choice));
        }
        var profile = SimGenerators.Find(request.Model)!;
        var task = World.TaskByPrompt(request.LastUser.Trim()) ?? World.FindTask(request.Text);
        var key = $"{request.Seed?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}/{choice}";
        return new SimAnswer(task is null
            ? "I can help with that. " + string.Join(' ', SimVocabulary.Fillers.Take(3))
            : SimGenerators.Write(profile, task, World.Seed, key));
    }

    // The response format decoding is constrained to, when the model's server honours the one asked for.
    private string? ConstrainedTo(SimRequest request) => request.JsonMode && Options.StructuredOutputs.For(request.Model) switch
    {
        SimStructuredOutput.Honour => true,
        SimStructuredOutput.JsonObjectOnly => request.ResponseFormat == "json_object",
        _ => false,
    } ? request.ResponseFormat : null;

    // Reasoning is generated first and counts against max_tokens: a budget too small for it leaves no content.
    private static SimChoice Shape(SimRequest request, SimAnswer answer, IReadOnlyList<SimJudge.Decision>? decisions)
    {
        var content = answer.Content;
        var reasoning = answer.Reasoning;
        var finish = "stop";
        if (request.MaxTokens is { } max)
        {
            var reasoningTokens = reasoning is null ? 0 : SimTokenizer.Count(reasoning);
            if (reasoningTokens >= max && reasoning is not null)
            {
                reasoning = Truncate(reasoning, max);
                content = "";
                finish = "length";
            }
            else if (reasoningTokens + SimTokenizer.Count(content) > max)
            {
                content = Truncate(content, max - reasoningTokens);
                finish = "length";
            }
        }
        return new SimChoice(content, finish, request.Logprobs ? Logprobs(content, decisions, request.TopLogprobs, answer.AnswerStart) : null, reasoning,
            answer.ReasoningField);
    }

    /// <summary>Keeps the first <paramref name="max"/> tokens of the text (with the white space between them).</summary>
    public static string Truncate(string text, int max)
    {
        var seen = 0;
        var i = 0;
        while (i < text.Length && seen < max)
        {
            while (i < text.Length && char.IsWhiteSpace(text[i])) i++;
            if (i >= text.Length) break;
            var rest = text[i..];
            var token = SimTokenizer.Tokens(rest.Length > 64 ? rest[..64] : rest)[0];
            i += token.Length;
            seen++;
        }
        return text[..i];
    }

    /// <summary>
    /// One entry per token of the content. The judge's verdict literals ("true"/"false" after "met":, from ANSWERSTART on:
    /// a draft inside the reasoning before it gets none) carry the judge's P(yes) with the other literal as the
    /// alternative; every other token is certain.
    /// </summary>
    private static List<SimTokenLogprob> Logprobs(string content, IReadOnlyList<SimJudge.Decision>? decisions, int top, int answerStart)
    {
        var list = new List<SimTokenLogprob>();
        var verdict = 0;
        var tokens = SimTokenizer.Tokens(content);
        var position = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            position = content.IndexOf(t, position, StringComparison.Ordinal) + t.Length;
            var isVerdict = decisions is not null && t is "true" or "false" && i >= 3 && tokens[i - 3] == "met" && verdict < decisions.Count
                && position > answerStart;
            if (!isVerdict)
            {
                list.Add(new SimTokenLogprob(t, 0, top > 0 ? [(t, 0.0)] : []));
                continue;
            }
            var pYes = Math.Clamp(decisions![verdict++].PYes, 1e-6, 1 - 1e-6);
            var yes = Math.Log(pYes);
            var no = Math.Log(1 - pYes);
            var chosen = t == "true" ? yes : no;
            IReadOnlyList<(string, double)> alternatives = top <= 0 ? []
                : t == "true" ? [("true", yes), ("false", no)] : [("false", no), ("true", yes)];
            list.Add(new SimTokenLogprob(t, chosen, alternatives.Take(Math.Max(top, 0)).ToList()));
        }
        return list;
    }
}
