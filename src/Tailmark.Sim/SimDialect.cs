namespace Tailmark.Sim;

/// <summary>
/// How the simulated judge and proposer write their answers — the habits of served models (docs/sim.md, "Dialects").
/// Only the wrapping changes: the verdicts and rubrics are the same in every dialect.
/// </summary>
public enum SimDialect
{
    /// <summary>One JSON object and nothing else.</summary>
    Clean,
    /// <summary>A sentence, then the JSON in a ```json fence.</summary>
    Fenced,
    /// <summary>The JSON between sentences of prose, unfenced.</summary>
    Prose,
    /// <summary>A &lt;think&gt;…&lt;/think&gt; block before the JSON (a reasoning model, no reasoning parser on the server).</summary>
    Think,
    /// <summary>The JSON as content and the thinking in a separate field (reasoning_content or reasoning: a reasoning parser).</summary>
    ReasoningField,
    /// <summary>Verdicts keyed by criterion id ({"c1": {"met": true}}, {"c1": "yes"}); criteria keyed by id.</summary>
    Keyed,
    /// <summary>A Python literal: single quotes, True/False.</summary>
    Literal,
    /// <summary>A seeded mix of all of the above and more habits: capitalised Yes/No, trailing commas, a remark after the
    /// JSON, an unclosed &lt;think&gt;, a draft in the reasoning that differs from the final answer, a reasoning block whose
    /// opening tag was in the prompt, gpt-oss's harmony channels, Magistral's [THINK]; for the proposer also weights
    /// written as strings.</summary>
    Mixed,
    /// <summary>Never anything readable: a judge or proposer that answers, but not usably.</summary>
    Garbage,
    /// <summary>Answers a careful reader must refuse, or read only the final object of, seeded per request: two
    /// objects that disagree on one criterion (two different rubrics), a criterion id that was not asked, or a draft in
    /// the reasoning that differs from the final answer (which is the answer). For testing that nothing is guessed.</summary>
    Ambiguous,
}
