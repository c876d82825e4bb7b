using System.Globalization;
using System.Text;

namespace Tailmark.Sim;

/// <summary>
/// Writes the simulated judge's verdicts and the proposer's criteria in a dialect (<see cref="SimDialect"/>): the same
/// content, wrapped the way served models wrap it. <c>mixed</c> picks one habit per request from a seeded hash, so a
/// workload meets the same mix every time. Under constrained decoding (<see cref="SimStructuredOutput.Honour"/> and a
/// JSON response format) the content is clean JSON and a reasoning habit reasons into the reasoning field, as a server
/// with a grammar backend and a reasoning parser answers.
/// </summary>
internal static class SimDialectWriter
{
    /// <summary>The shapes an answer can take; a dialect is one of them, <c>mixed</c> any.</summary>
    private enum Habit
    {
        Clean, Fenced, Prose, Think, ReasoningField, Keyed, Literal,
        CapitalYesNo, TrailingCommas, Remark, UnclosedThink, DraftInReasoning, OpeningTagInPrompt, Harmony, BracketThink,
        StringWeights,
    }

    private static readonly Habit[] JudgeMix = [.. Enum.GetValues<Habit>().Where(h => h != Habit.StringWeights)];
    private static readonly Habit[] ProposerMix = [.. Enum.GetValues<Habit>().Where(h => h != Habit.CapitalYesNo)];

    /// <summary>The sentence every simulated reasoning starts with (tests look for it where reasoning must not be).</summary>
    public const string ReasoningOpening = "Working through the criteria one at a time.";

    public static SimAnswer Judge(IReadOnlyList<SimJudge.Decision> decisions, SimDialect dialect, Random rng, string? effort, string? constrainedTo)
    {
        if (dialect == SimDialect.Garbage && constrainedTo is null) return new SimAnswer(JudgeGarbage[rng.Next(JudgeGarbage.Length)]);
        var habit = Pick(dialect, JudgeMix, rng);
        var reasoning = ReasoningFor(decisions.Select(d => (d.Id, d.Reason)).ToList(), effort, rng);
        if (dialect == SimDialect.Ambiguous && constrainedTo is null)
        {
            var first = decisions[0];
            switch (rng.Next(3))
            {
                case 0: // the first criterion answered both ways, in two objects
                    return new SimAnswer(Verdicts(decisions, new Style()) + "\n\nOn second thought:\n" + Verdicts([first with { Met = !first.Met }],
                        new Style()));
                case 1: // an id that was not asked
                    return new SimAnswer(Verdicts([first with { Id = first.Id + "-x" }, .. decisions.Skip(1)], new Style()));
                default:
                    habit = Habit.DraftInReasoning;
                    break;
            }
        }
        if (constrainedTo is not null)
        {
            var json = habit == Habit.Keyed && constrainedTo == "json_object" ? Keyed(decisions, rng) : Verdicts(decisions, new Style());
            return new SimAnswer(json, Reasons(habit) ? reasoning : null, Field(rng));
        }
        return habit switch
        {
            Habit.Keyed => new SimAnswer(Keyed(decisions, rng)),
            Habit.Literal => new SimAnswer(Verdicts(decisions, new Style { Python = true })),
            Habit.CapitalYesNo => new SimAnswer(Verdicts(decisions, new Style { YesNo = true })),
            Habit.TrailingCommas => new SimAnswer(Verdicts(decisions, new Style { TrailingCommas = true, Pretty = true })),
            Habit.DraftInReasoning => Wrap(Habit.Think, Verdicts(decisions, new Style()),
                reasoning + " A first draft: " + Verdicts([.. decisions.Select(d => d with { Met = !d.Met })], new Style()) +
                " On reflection that draft misreads the response; the final verdicts follow.", rng),
            _ => Wrap(habit, Verdicts(decisions, new Style { Pretty = habit == Habit.Fenced }), reasoning, rng),
        };
    }

    public static SimAnswer Proposer(IReadOnlyList<(string Text, int Weight)> criteria, SimDialect dialect, Random rng, string? effort, string? constrainedTo)
    {
        if (dialect == SimDialect.Garbage && constrainedTo is null) return new SimAnswer(ProposerGarbage[rng.Next(ProposerGarbage.Length)]);
        var habit = Pick(dialect, ProposerMix, rng);
        var reasoning = ReasoningFor([.. criteria.Select((c, i) => ($"c{i + 1}", c.Text))], effort, rng);
        if (dialect == SimDialect.Ambiguous && constrainedTo is null)
        {
            if (rng.Next(2) == 0) return new SimAnswer(Criteria(criteria, new Style()) + "\n\nOr, shorter:\n" + Criteria([.. criteria.Take(1)], new Style()));
            habit = Habit.DraftInReasoning;
        }
        if (constrainedTo is not null)
        {
            return new SimAnswer(Criteria(criteria, new Style()), Reasons(habit) ? reasoning : null, Field(rng));
        }
        return habit switch
        {
            Habit.Keyed => new SimAnswer(KeyedCriteria(criteria, rng)),
            Habit.Literal => new SimAnswer(Criteria(criteria, new Style { Python = true })),
            Habit.StringWeights => new SimAnswer(Criteria(criteria, new Style { StringWeights = true })),
            Habit.TrailingCommas => new SimAnswer(Criteria(criteria, new Style { TrailingCommas = true, Pretty = true })),
            Habit.DraftInReasoning => Wrap(Habit.Think, Criteria(criteria, new Style()),
                reasoning + " A first draft: " + Criteria([.. criteria.Take(Math.Max(1, criteria.Count - 1)).Select(c => (c.Text, -c.Weight))], new Style()) +
                " That draft has the weights the wrong way round; the final rubric follows.", rng),
            _ => Wrap(habit, Criteria(criteria, new Style { Pretty = habit == Habit.Fenced }), reasoning, rng),
        };
    }

    private static Habit Pick(SimDialect dialect, Habit[] mix, Random rng) => dialect switch
    {
        SimDialect.Clean => Habit.Clean,
        SimDialect.Fenced => Habit.Fenced,
        SimDialect.Prose => Habit.Prose,
        SimDialect.Think => Habit.Think,
        SimDialect.ReasoningField => Habit.ReasoningField,
        SimDialect.Keyed => Habit.Keyed,
        SimDialect.Literal => Habit.Literal,
        _ => mix[rng.Next(mix.Length)],
    };

    // Whether a habit thinks (and so still reasons, into the reasoning field, when decoding is constrained).
    private static bool Reasons(Habit h) => h is Habit.Think or Habit.ReasoningField or Habit.UnclosedThink or Habit.DraftInReasoning
        or Habit.OpeningTagInPrompt or Habit.Harmony or Habit.BracketThink;

    // vLLM 0.11 and later (and Ollama) name the field "reasoning"; DeepSeek, SGLang and llama.cpp "reasoning_content".
    private static string Field(Random rng) => rng.Next(2) == 0 ? "reasoning_content" : "reasoning";

    // JSON around which the habit's wrapping goes; AnswerStart is where JSON begins in the content.
    private static SimAnswer Wrap(Habit habit, string json, string reasoning, Random rng)
    {
        (string Before, string After) = habit switch
        {
            Habit.Fenced => (FencedLead[rng.Next(FencedLead.Length)] + "\n\n```json\n", "\n```"),
            Habit.Prose => (ProseLead[rng.Next(ProseLead.Length)] + "\n\n", "\n\n" + ProseTail[rng.Next(ProseTail.Length)]),
            Habit.Think => ($"<think>\n{reasoning}\n</think>\n\n", ""),
            Habit.Remark => ("", "\n\n" + Remarks[rng.Next(Remarks.Length)]),
            Habit.UnclosedThink => ($"<think>\n{reasoning}\n\n", ""),
            Habit.OpeningTagInPrompt => ($"{reasoning}\n</think>\n\n", ""),
            Habit.Harmony => ($"<|channel|>analysis<|message|>{reasoning}<|end|><|start|>assistant<|channel|>final<|message|>", "<|return|>"),
            Habit.BracketThink => ($"[THINK]{reasoning}[/THINK]", ""),
            _ => ("", ""),
        };
        if (habit == Habit.ReasoningField) return new SimAnswer(json, reasoning, Field(rng));
        return new SimAnswer(Before + json + After, AnswerStart: Before.Length);
    }

    private sealed record Style
    {
        public bool Python { get; init; }
        public bool YesNo { get; init; }
        public bool TrailingCommas { get; init; }
        public bool Pretty { get; init; }
        public bool StringWeights { get; init; }
    }

    private static string Verdicts(IReadOnlyList<SimJudge.Decision> decisions, Style s)
    {
        var items = decisions.Select(d =>
        {
            var fields = new List<(string, string)> { ("id", Str(d.Id, s)), ("met", s.YesNo ? Str(d.Met ? "Yes" : "No", s) : Bool(d.Met, s)) };
            if (d.Level is { } level) fields.Add(("level", Num(level)));
            fields.Add(("reason", Str(d.Reason, s)));
            return Obj(fields, s, 2);
        }).ToList();
        return Obj([("verdicts", Arr(items, s, 1))], s, 0);
    }

    private static string Keyed(IReadOnlyList<SimJudge.Decision> decisions, Random rng)
    {
        var s = new Style();
        var scalar = decisions.All(d => d.Level is null) && rng.Next(3) == 0;
        var members = decisions.Select(d =>
        {
            if (scalar) return (d.Id, Str(d.Met ? "yes" : "no", s));
            var fields = new List<(string, string)> { ("met", Bool(d.Met, s)) };
            if (d.Level is { } level) fields.Add(("level", Num(level)));
            fields.Add(("reason", Str(d.Reason, s)));
            return (d.Id, Obj(fields, s, 1));
        }).ToList();
        var map = Obj(members, s, 0);
        return rng.Next(2) == 0 ? map : Obj([("verdicts", map)], s, 0);
    }

    private static string Criteria(IReadOnlyList<(string Text, int Weight)> criteria, Style s) =>
        Obj([("criteria", Arr([.. criteria.Select(c => Obj([("text", Str(c.Text, s)), ("weight", Weight(c.Weight, s))], s, 2))], s, 1))], s, 0);

    private static string KeyedCriteria(IReadOnlyList<(string Text, int Weight)> criteria, Random rng)
    {
        var s = new Style();
        var map = Obj([.. criteria.Select((c, i) => ($"c{i + 1}", Obj([("text", Str(c.Text, s)), ("weight", Weight(c.Weight, s))], s, 1)))], s, 0);
        return rng.Next(2) == 0 ? map : Obj([("criteria", map)], s, 0);
    }

    private static string Weight(int w, Style s) =>
        s.StringWeights ? Str(w.ToString(CultureInfo.InvariantCulture), s) : w.ToString(CultureInfo.InvariantCulture);

    private static string Bool(bool b, Style s) => s.Python ? (b ? "True" : "False") : (b ? "true" : "false");

    private static string Num(double v) => v.ToString(CultureInfo.InvariantCulture);

    // A string literal: JSON, or Python's repr (single quotes unless the text holds one and no double quote).
    private static string Str(string text, Style s)
    {
        if (!s.Python) return SimJudge.Json(text);
        var quote = text.Contains('\'') && !text.Contains('"') ? '"' : '\'';
        var sb = new StringBuilder().Append(quote);
        foreach (var c in text)
        {
            if (c == '\\' || c == quote) sb.Append('\\');
            sb.Append(c == '\n' ? "\\n" : c.ToString());
        }
        return sb.Append(quote).ToString();
    }

    private static string Obj(IReadOnlyList<(string Key, string Value)> members, Style s, int depth)
    {
        var sb = new StringBuilder("{");
        for (var i = 0; i < members.Count; i++)
        {
            if (i > 0) sb.Append(',');
            if (s.Pretty) sb.Append('\n').Append(' ', 2 * (depth + 1));
            else if (i > 0) sb.Append(' ');
            sb.Append(Str(members[i].Key, s)).Append(": ").Append(members[i].Value);
        }
        if (s.TrailingCommas && members.Count > 0) sb.Append(',');
        if (s.Pretty) sb.Append('\n').Append(' ', 2 * depth);
        return sb.Append('}').ToString();
    }

    private static string Arr(IReadOnlyList<string> items, Style s, int depth)
    {
        var sb = new StringBuilder("[");
        for (var i = 0; i < items.Count; i++)
        {
            if (i > 0) sb.Append(',');
            if (s.Pretty) sb.Append('\n').Append(' ', 2 * (depth + 1));
            else if (i > 0) sb.Append(' ');
            sb.Append(items[i]);
        }
        if (s.TrailingCommas && items.Count > 0) sb.Append(',');
        if (s.Pretty) sb.Append('\n').Append(' ', 2 * depth);
        return sb.Append(']').ToString();
    }

    /// <summary>
    /// The reasoning: an opening, then per item a sentence about it and filler until the item has about its share of
    /// tokens — 20 at low effort, 50 at medium (the default), 240 at high — so a reasoning model's budget is tested.
    /// </summary>
    private static string ReasoningFor(IReadOnlyList<(string Id, string About)> items, string? effort, Random rng)
    {
        var perItem = effort switch
        {
            "none" or "minimal" or "low" => 20,
            "high" or "xhigh" => 240,
            _ => 50,
        };
        var sb = new StringBuilder(ReasoningOpening);
        foreach (var (id, about) in items)
        {
            var start = sb.Length;
            sb.Append(' ').Append(CultureInfo.InvariantCulture, $"For {id}: {about.TrimEnd('.')}.");
            while (SimTokenizer.Count(sb.ToString(start, sb.Length - start)) < perItem) sb.Append(' ').Append(Filler[rng.Next(Filler.Length)]);
        }
        return sb.ToString();
    }

    private static readonly string[] Filler =
    [
        "I compare what the criterion asks with what the response actually says.", "The wording matters more than the tone here.",
        "Nothing outside the response should change this.", "I check the response once more before deciding.",
        "A partial mention is not the same as advice.", "The criterion is read literally.",
    ];

    private static readonly string[] FencedLead = ["Here is my assessment:", "Grading result:", "Below are the verdicts."];
    private static readonly string[] ProseLead = ["I read the response against each criterion in turn, and here is what I found.",
        "After checking the response carefully, my grading is as follows."];
    private static readonly string[] ProseTail = ["Each verdict rests only on what the response says.",
        "Let me know if you would like more detail on any of these."];
    private static readonly string[] Remarks = ["Note: I applied each criterion literally.", "I hope this helps; ask if anything is unclear."];

    private static readonly string[] JudgeGarbage =
    [
        "I have read the response carefully. Overall it seems reasonable, though some points could be clearer.",
        "The response is fine in places and weaker in others; I would rather not give a verdict per criterion.",
        "Sorry, I cannot produce that format. The answer looks mostly helpful to me.",
    ];

    private static readonly string[] ProposerGarbage =
    [
        "A good answer should be clear, accurate and helpful, and should avoid mistakes.",
        "I would judge answers on their accuracy and their clarity, mostly.",
    ];
}
