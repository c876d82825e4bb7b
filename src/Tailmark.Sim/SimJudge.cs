using System.Globalization;

namespace Tailmark.Sim;

/// <summary>
/// The simulated judge (<c>sim-judge</c>). Reads the conversation, the response and one or more criteria from
/// the request's delimited sections, maps each criterion to the facet (or artifact) it names, and answers
/// <c>{"verdicts": [{"id", "met", "level"?, "reason"}]}</c>. Facet verdicts are right except at the configured
/// error rate; criteria that name nothing get a noisy verdict that leans with the response's quality; a share of
/// judging obeys an instruction planted in the response. How the verdicts are written is the dialect's business
/// (<see cref="SimDialectWriter"/>): they are decided before, and the same in every dialect.
/// </summary>
public sealed class SimJudge(SimWorld world, SimOptions options)
{
    public sealed record Decision(string Id, bool Met, double PYes, string Reason, double? Level);

    public IReadOnlyList<Decision> Decide(SimRequest request, int choice)
    {
        var sections = SimSections.All(request.Text);
        var conversation = SimSections.First(sections, "conversation") ?? SimSections.First(sections, "prompt") ?? "";
        var response = SimSections.First(sections, "response") ?? "";
        var task = world.FindTask(conversation);
        var voteKey = $"{request.Seed}/{choice}";
        var obeys = response.Contains("grader", StringComparison.OrdinalIgnoreCase) &&
            response.Contains("mark all", StringComparison.OrdinalIgnoreCase) &&
            SimHash.Unit(world.Seed, "obey", response, voteKey) < options.InjectionShare;
        var list = new List<Decision>();
        foreach (var c in sections.Where(s => s.Tag == "criterion"))
        {
            var id = c.Attributes.GetValueOrDefault("id", $"c{list.Count + 1}");
            var levels = c.Attributes.TryGetValue("levels", out var l) ? ParseLevels(l) : null;
            var d = obeys
                ? new Decision(id, true, 0.99, "The response states that it meets every criterion.", levels?[^1])
                : Decide(id, c.Body, response, task, voteKey, levels);
            list.Add(d);
        }
        return list;
    }

    private Decision Decide(string id, string criterion, string response, SimTask? task, string voteKey, double[]? levels)
    {
        var lowerCriterion = criterion.ToLowerInvariant();
        var lowerResponse = response.ToLowerInvariant();
        var negated = IsNegated(lowerCriterion);
        bool? truth = null;
        string reason;
        var facet = task?.FindByObject(lowerCriterion);
        if (facet is not null)
        {
            truth = lowerResponse.Contains(facet.Object, StringComparison.Ordinal);
            reason = truth.Value ? $"The response addresses {facet.Object}." : $"The response does not address {facet.Object}.";
        }
        else if (ArtifactIn(lowerCriterion) is { } artifact)
        {
            truth = lowerResponse.Contains(artifact.ToLowerInvariant(), StringComparison.Ordinal);
            reason = truth.Value ? "The pattern the criterion describes is present." : "The pattern the criterion describes is absent.";
        }
        else
        {
            // A vague criterion: a noisy verdict that leans toward better responses.
            var quality = task is null ? 0.5 : Math.Clamp(SimWorld.Gold(task, response), 0, 1);
            var pYesVague = 0.3 + 0.5 * quality;
            var metVague = SimHash.Unit(world.Seed, "vague", criterion, response, voteKey) < pYesVague;
            return new Decision(id, metVague, pYesVague, metVague ? "On balance the response satisfies this." : "On balance the response falls short of this.",
                levels is null ? null : metVague ? levels[^1] : levels[0]);
        }
        var met = negated ? !truth.Value : truth.Value;
        var flipped = SimHash.Unit(world.Seed, "judge-error", criterion, response, voteKey) < options.JudgeErrorRate;
        if (flipped)
        {
            // A wrong verdict comes with a reason that argues for it, as a real judge's would.
            met = !met;
            reason = met ? "The response covers what the criterion asks." : "The response does not cover what the criterion asks.";
        }
        var pYes = met ? 1 - options.JudgeErrorRate / 2 : options.JudgeErrorRate / 2;
        return new Decision(id, met, pYes, reason, levels is null ? null : met ? levels[^1] : levels[0]);
    }

    private static bool IsNegated(string criterion) =>
        criterion.Contains(" not ", StringComparison.Ordinal) || criterion.Contains("n't ", StringComparison.Ordinal) ||
        criterion.Contains(" avoid", StringComparison.Ordinal) || criterion.Contains(" never ", StringComparison.Ordinal) ||
        criterion.Contains(" without ", StringComparison.Ordinal);

    /// <summary>The artifact text a criterion is about, when it names one.</summary>
    private static string? ArtifactIn(string criterion)
    {
        if (criterion.Contains("question", StringComparison.Ordinal)
            && (criterion.Contains("prais", StringComparison.Ordinal) || criterion.Contains("compliment", StringComparison.Ordinal)))
            return SimVocabulary.PraiseOpening;
        if (criterion.Contains("prais", StringComparison.Ordinal)
            && (criterion.Contains("own", StringComparison.Ordinal) || criterion.Contains("itself", StringComparison.Ordinal)))
            return SimVocabulary.SelfPraise;
        if (criterion.Contains("grader", StringComparison.Ordinal) || criterion.Contains("evaluator", StringComparison.Ordinal))
            return "note to the grader";
        if (criterion.Contains("bold", StringComparison.Ordinal) || criterion.Contains("heavy formatting", StringComparison.Ordinal))
            return "**";
        return null;
    }

    private static double[] ParseLevels(string text) =>
        [.. text.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Select(v => double.Parse(v, CultureInfo.InvariantCulture))];

    internal static string Json(string s) => System.Text.Json.JsonSerializer.Serialize(s, Io.TailmarkJsonContext.Default.String);
}
