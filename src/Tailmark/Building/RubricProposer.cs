using System.Collections.Immutable;
using System.Text.Json;
using Tailmark.Io;
using Tailmark.Judging;
using Tailmark.Rubrics;

namespace Tailmark.Building;

/// <summary>
/// Writes a prompt's initial rubric with the proposer. A prompt whose proposal fails keeps a rubric — a single
/// general criterion — marked <c>metadata.proposal_failed</c> with the reason in <c>metadata.diagnostics</c>, so no
/// prompt is ever dropped and the failure is visible (known secrets masked: a proposer's error text can echo a key).
/// </summary>
public sealed class RubricProposer(ProposerClient proposer, SecretRedactor? redactor = null)
{
    public const string FallbackCriterion = "The response fully and correctly answers the request.";

    public async Task<(Rubric Rubric, string? Problem)> ProposeAsync(PromptRow prompt, bool withReference, CancellationToken cancellationToken = default)
    {
        var text = JudgePrompts.Conversation(prompt.Prompt);
        var (criteria, problem) = await proposer.AskAsync(ProposerPrompts.InitialSystem,
            ProposerPrompts.Initial(text, withReference ? prompt.ReferenceAnswer : null), cancellationToken).ConfigureAwait(false);
        problem = redactor?.RedactOrNull(problem) ?? problem;
        var rubric = new Rubric
        {
            Id = prompt.PromptId,
            PromptId = prompt.PromptId,
            Prompt = prompt.Prompt,
            Criteria = criteria ?? [new Criterion { Id = "c1", Text = FallbackCriterion, Weight = 1 }],
            Metadata = criteria is null ? Failed(problem!) : JsonMaps.Empty.Add("proposer_prompt",
                JsonSerializer.SerializeToElement(ProposerPrompts.Version, TailmarkJsonContext.Default.String)),
        };
        return (rubric, problem);
    }

    private static ImmutableSortedDictionary<string, JsonElement> Failed(string problem) => JsonMaps.Empty
        .Add("proposal_failed", JsonSerializer.SerializeToElement(true, BoolContext.Default.Boolean))
        .Add("diagnostics", JsonSerializer.SerializeToElement(new[] { problem }, BoolContext.Default.StringArray));
}

[System.Text.Json.Serialization.JsonSerializable(typeof(bool))]
[System.Text.Json.Serialization.JsonSerializable(typeof(string[]))]
internal sealed partial class BoolContext : System.Text.Json.Serialization.JsonSerializerContext;
