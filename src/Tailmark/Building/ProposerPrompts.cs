using System.Text;
using Tailmark.Judging;
using Tailmark.Rubrics;

namespace Tailmark.Building;

/// <summary>
/// Tailmark's proposer prompts, written for this project and versioned: one to write an initial rubric from a
/// prompt (optionally informed by a reference answer), one to refine a rubric by contrasting two responses
/// (Refinement-through-Differentiation). Both ask for the full rubric as <c>{"criteria": [{"text", "weight"}]}</c>.
/// </summary>
public static class ProposerPrompts
{
    public const string Version = "tm-proposer-1";

    private const string Principles = """
        Write criteria that:
        - are binary statements a grader can answer yes or no, phrased so that "yes" is good;
        - each check one thing (atomic), and are specific, objective and self-contained;
        - can be checked from the response alone, without searching anything;
        - together cover what matters without overlapping;
        - are hard enough that a typical answer meets only about half of them.
        Give each criterion an integer weight: 3 if missing it would badly hurt the user or make the answer wrong,
        2 if it matters, 1 if it is a nice touch. For a harmful or wrong behaviour that a response might show, write a
        penalty criterion describing that behaviour with a negative weight (-1 to -3); it is "met" when the behaviour
        happens.
        Reply with one JSON object and nothing else: {"criteria": [{"text": "...", "weight": 3}, ...]}
        """;

    public const string InitialSystem = "You design grading rubrics for answers to a user's request.\n" + Principles;

    public const string RefineSystem = """
        You improve grading rubrics by contrasting two strong answers to the same request. Find what genuinely makes
        one answer better than the other and make the rubric able to tell them apart: add criteria, make vague
        criteria specific, split criteria that check two things, and delete criteria that cannot separate good
        answers. Keep the criteria that still matter. Return the FULL rubric, not only the changes.
        """ + "\n" + Principles;

    /// <summary>
    /// Defense criteria from an audit's suspected hacks: what the suspected answers share that the good ones lack,
    /// written as penalty criteria (met when the behaviour shows).
    /// </summary>
    public const string HacksSystem = """
        You protect a grading rubric against answers that game the grader. You are shown answers that an automatic
        grader rewarded far more than a careful reviewer did (suspected), and answers both rewarded well (good). Find
        the behaviour the suspected answers share and the good ones do not — text aimed at the grader, flattery,
        padding, formatting tricks, claims of completeness — and write penalty criteria that describe it. Each
        criterion is a yes/no statement that is "met" when the behaviour is present, checkable from the answer alone,
        and narrow enough that the good answers do not meet it. Give each a negative integer weight: -3 for an attempt
        to manipulate the grader, -1 or -2 for lesser tricks.
        Reply with one JSON object and nothing else: {"criteria": [{"text": "...", "weight": -3}, ...]}
        """;

    /// <summary>The request for defense criteria: up to a few suspected and good answers, each defused.</summary>
    public static string Hacks(IEnumerable<string> suspected, IEnumerable<string> good)
    {
        var sb = new StringBuilder();
        foreach (var s in suspected) sb.Append("<suspected>\n").Append(JudgePrompts.Defuse(s)).Append("\n</suspected>\n\n");
        foreach (var g in good) sb.Append("<good>\n").Append(JudgePrompts.Defuse(g)).Append("\n</good>\n\n");
        sb.Append("Write penalty criteria that catch what the suspected answers share and the good answers do not.");
        return sb.ToString();
    }

    public const string Repair = "Your previous reply was not the JSON object asked for, or it had no usable criteria. " +
        "Reply again with only {\"criteria\": [{\"text\": \"...\", \"weight\": N}, ...]}.";

    public static string Initial(string prompt, string? reference)
    {
        var sb = new StringBuilder();
        sb.Append("<prompt>\n").Append(JudgePrompts.Defuse(prompt)).Append("\n</prompt>\n");
        if (reference is not null) sb.Append("\n<reference>\n").Append(JudgePrompts.Defuse(reference)).Append("\n</reference>\nThe reference is one good " +
            "answer; use it to see what matters, not as the only right answer.\n");
        sb.Append("\nWrite the rubric for answers to this request.");
        return sb.ToString();
    }

    public static string Refine(string prompt, Rubric current, string responseA, string responseB)
    {
        var sb = new StringBuilder();
        sb.Append("<prompt>\n").Append(JudgePrompts.Defuse(prompt)).Append("\n</prompt>\n\n");
        sb.Append("<rubric>").Append(RubricText(current)).Append("</rubric>\n\n");
        sb.Append("<response_a>\n").Append(JudgePrompts.Defuse(responseA)).Append("\n</response_a>\n\n");
        sb.Append("<response_b>\n").Append(JudgePrompts.Defuse(responseB)).Append("\n</response_b>\n\n");
        sb.Append("Refine the rubric so that it separates these two answers, and return the full rubric.");
        return sb.ToString();
    }

    /// <summary>The rubric as the proposer sees it: texts and weights only.</summary>
    public static string RubricText(Rubric rubric) =>
        "{\"criteria\": [" + string.Join(", ", rubric.Criteria.Select(c =>
            $"{{\"text\": {System.Text.Json.JsonSerializer.Serialize(c.Text, Io.TailmarkJsonContext.Default.String)}, " +
                $"\"weight\": {c.Weight.ToString(System.Globalization.CultureInfo.InvariantCulture)}}}")) + "]}";
}
