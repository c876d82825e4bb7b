namespace Tailmark.Sim;

/// <summary>
/// Dispatches a request to the simulated model it names and shapes the completions: <c>n</c> choices, each
/// determined by (world seed, model, request content, request seed, choice index); truncation at
/// <c>max_tokens</c> (finish reason "length"); log probabilities of the judge's verdict tokens.
/// </summary>
public sealed class SimModels
{
    public const string Judge = "sim-judge";
    public const string Proposer = "sim-proposer";
    public const string Oracle = "sim-oracle";

    private readonly SimJudge _judge;
    private readonly SimProposer _proposer;
    private readonly SimOracle _oracle;

    public SimModels(SimWorld world, SimOptions options)
    {
        options.Validate();
        World = world;
        Options = options;
        _judge = new SimJudge(world, options);
        _proposer = new SimProposer(world, options);
        _oracle = new SimOracle(world, options);
    }

    public SimWorld World { get; }
    public SimOptions Options { get; }

    public static IReadOnlyList<string> Names { get; } =
        [.. SimGenerators.All.Select(g => g.Name), Judge, Proposer, Oracle];

    public static bool Exists(string model) => Names.Contains(model);

    public IReadOnlyList<SimChoice> Respond(SimRequest request)
    {
        if (!Exists(request.Model)) throw new ArgumentException($"unknown simulated model '{request.Model}'", nameof(request));
        var choices = new List<SimChoice>(request.N);
        for (var i = 0; i < request.N; i++) choices.Add(Shape(request, One(request, i, out var decisions), decisions));
        return choices;
    }

    private string One(SimRequest request, int choice, out IReadOnlyList<SimJudge.Decision>? decisions)
    {
        decisions = null;
        switch (request.Model)
        {
            case Judge:
                var text = _judge.Respond(request, choice, out var d);
                decisions = d;
                return text;
            case Proposer:
                return _proposer.Respond(request, choice);
            case Oracle:
                return _oracle.Respond(request, choice);
        }
        var profile = SimGenerators.Find(request.Model)!;
        var task = World.TaskByPrompt(request.LastUser.Trim()) ?? World.FindTask(request.Text);
        var key = $"{request.Seed?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "-"}/{choice}";
        return task is null
            ? "I can help with that. " + string.Join(' ', SimVocabulary.Fillers.Take(3))
            : SimGenerators.Write(profile, task, World.Seed, key);
    }

    private static SimChoice Shape(SimRequest request, string content, IReadOnlyList<SimJudge.Decision>? decisions)
    {
        var finish = "stop";
        if (request.MaxTokens is { } max && SimTokenizer.Count(content) > max)
        {
            content = Truncate(content, max);
            finish = "length";
        }
        return new SimChoice(content, finish, request.Logprobs ? Logprobs(content, decisions, request.TopLogprobs) : null);
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
    /// One entry per token of the content. The judge's verdict literals ("true"/"false" after "met":) carry the
    /// judge's P(yes) with the other literal as the alternative; every other token is certain.
    /// </summary>
    private static List<SimTokenLogprob> Logprobs(string content, IReadOnlyList<SimJudge.Decision>? decisions, int top)
    {
        var list = new List<SimTokenLogprob>();
        var verdict = 0;
        var tokens = SimTokenizer.Tokens(content);
        for (var i = 0; i < tokens.Count; i++)
        {
            var t = tokens[i];
            var isVerdict = decisions is not null && t is "true" or "false" && i >= 3 && tokens[i - 3] == "met" && verdict < decisions.Count;
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
