using System.Collections.Immutable;
using System.Text.Json;
using Tailmark.Rubrics;

namespace Tailmark.Scoring;

/// <summary>
/// A verdicts row: which prompt, response and rubric, and a verdict per criterion id. Extra fields are kept
/// and passed through to the graded row.
/// </summary>
public sealed record VerdictRow(
    string PromptId,
    string ResponseId,
    string RubricId,
    ImmutableSortedDictionary<string, Verdict> Verdicts,
    ImmutableSortedDictionary<string, JsonElement> Extra)
{
    public static VerdictRow Create(string promptId, string responseId, string rubricId, IEnumerable<KeyValuePair<string, Verdict>> verdicts) =>
        new(promptId, responseId, rubricId, verdicts.ToImmutableSortedDictionary(StringComparer.Ordinal), JsonMaps.Empty);
}
