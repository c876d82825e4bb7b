using System.Text.Json;

namespace Tailmark.Sim;

/// <summary>
/// The simulated proposer (<c>sim-proposer</c>). Given <c>&lt;prompt&gt;</c> alone it writes an initial rubric covering
/// mostly basic and advanced facets, sometimes with a vague or redundant criterion. Given also
/// <c>&lt;rubric&gt;</c> (JSON) and <c>&lt;response_a&gt;</c>/<c>&lt;response_b&gt;</c> it returns the full rubric refined
/// toward the facets that separate the two responses, most valuable first; now and then it deletes a vague
/// criterion. Its rubric depends on the question (not on a repair turn after it: asked to fix its format, it restates
/// the same rubric). At the configured rate its output is malformed JSON. Output: <c>{"criteria": [{"text", "weight"}]}</c>,
/// written in the proposer's dialect (<see cref="SimDialectWriter"/>).
/// </summary>
public sealed class SimProposer(SimWorld world, SimOptions options)
{
    public SimAnswer Respond(SimRequest request, int choice, SimDialect dialect, string? constrainedTo)
    {
        var sections = SimSections.All(request.Text);
        var prompt = SimSections.First(sections, "prompt") ?? SimSections.First(sections, "conversation") ?? request.LastUser;
        var task = world.FindTask(prompt);
        if (SimHash.Unit(world.Seed, "proposer-malformed", request.Text, request.Seed, choice) < options.ProposerMalformedRate)
        {
            return new SimAnswer("{\"criteria\": [{\"text\": \"The response answers the question\", \"weight\": 2},"); // cut off mid-list
        }
        var suspected = sections.Where(x => x.Tag == "suspected").Select(x => x.Body).ToList();
        if (suspected.Count > 0)
        {
            var good = sections.Where(x => x.Tag == "good").Select(x => x.Body).ToList();
            return SimDialectWriter.Proposer(Defenses(suspected, good), dialect,
                SimHash.Random(world.Seed, "dialect", request.Model, request.Text, request.Seed, choice), request.ReasoningEffort, constrainedTo);
        }
        var rubric = SimSections.First(sections, "rubric");
        var a = SimSections.First(sections, "response_a");
        var b = SimSections.First(sections, "response_b");
        var criteria = rubric is not null && a is not null && b is not null
            ? Refine(task, ParseRubric(rubric), a, b, request, choice)
            : Initial(task, request, choice);
        return SimDialectWriter.Proposer(criteria, dialect, SimHash.Random(world.Seed, "dialect", request.Model, request.Text, request.Seed, choice),
            request.ReasoningEffort, constrainedTo);
    }

    private List<(string Text, int Weight)> Initial(SimTask? task, SimRequest request, int choice)
    {
        var rng = SimHash.Random(world.Seed, "proposer-initial", request.Question, request.Seed, choice);
        var list = new List<(string, int)>();
        if (task is not null)
        {
            foreach (var f in task.Facets)
            {
                var chance = f.Tier switch { FacetTier.Basic => 0.9, FacetTier.Advanced => 0.6, FacetTier.Tail => 0.1, _ => 0.5 };
                if (rng.NextDouble() >= chance) continue;
                var sharpened = rng.NextDouble() < 0.25;
                // Apart from rng, so that a world without mistakes writes the same rubrics as before the knob existed.
                list.Add(f.IsError && SimHash.Unit(world.Seed, "proposer-mistake", task.Id, f.Id) < options.ProposerMistakeRate
                    ? ($"The response advises the user to {f.Phrase}.", 2)
                    : ForFacet(f, sharpened));
            }
            if (rng.NextDouble() < 0.4 && list.Count > 0)
            {
                var f = task.Facets.First(x => list.Any(c => c.Item1.Contains(x.Object, StringComparison.Ordinal)));
                list.Add(($"The response talks about {f.Object}.", 1)); // redundant with an existing criterion
            }
        }
        list.Add(("The response is clear, well organized and easy to follow.", 1));
        if (rng.NextDouble() < 0.5) list.Add(("The response is helpful and appropriate for the user.", 1));
        return list;
    }

    private List<(string Text, int Weight)> Refine(SimTask? task, List<(string Text, int Weight)> current, string a, string b, SimRequest request, int choice)
    {
        var rng = SimHash.Random(world.Seed, "proposer-refine", request.Question, request.Seed, choice);
        var result = new List<(string Text, int Weight)>(current);
        if (task is not null)
        {
            var inA = SimWorld.FacetsIn(task, a).Select(f => f.Id).ToHashSet();
            var inB = SimWorld.FacetsIn(task, b).Select(f => f.Id).ToHashSet();
            var separating = task.Facets
                .Where(f => inA.Contains(f.Id) != inB.Contains(f.Id))
                .Where(f => !result.Any(c => c.Text.Contains(f.Object, StringComparison.Ordinal)))
                .OrderByDescending(f => Math.Abs(f.Value)).ThenBy(f => f.Id, StringComparer.Ordinal)
                .Take(2)
                .ToList();
            foreach (var f in separating) result.Add(ForFacet(f, sharpened: false));
            // A mistake the rubric rewards is turned into the pitfall it is when the pair shows it (one has it, the other not).
            for (var i = 0; i < result.Count; i++)
            {
                var f = task.Facets.FirstOrDefault(x => x.IsError && result[i].Weight > 0 && result[i].Text.Contains(x.Object, StringComparison.Ordinal));
                if (f is not null && inA.Contains(f.Id) != inB.Contains(f.Id)) result[i] = ForFacet(f, sharpened: false);
            }
            // Sharpen: a vague "talks about X" criterion becomes the specific one when X separates the pair.
            for (var i = 0; i < result.Count; i++)
            {
                var f = task.Facets.FirstOrDefault(x => result[i].Text.StartsWith("The response talks about " + x.Object, StringComparison.Ordinal));
                if (f is not null && inA.Contains(f.Id) != inB.Contains(f.Id)) result[i] = ForFacet(f, sharpened: false);
            }
        }
        // Either of the pair addresses the grader: a penalty for it, unless the rubric has one.
        const string Grader = "note to the grader";
        if ((a.Contains(Grader, StringComparison.OrdinalIgnoreCase) || b.Contains(Grader, StringComparison.OrdinalIgnoreCase))
            && !result.Any(c => c.Text.Contains("grader", StringComparison.OrdinalIgnoreCase)))
        {
            result.Add(("The response addresses the grader, for example asking to be marked as meeting the criteria.", -3));
        }
        // Now and then, drop a criterion that names nothing checkable.
        var vague = result.FindIndex(c => c.Text.StartsWith("The response is ", StringComparison.Ordinal));
        if (vague >= 0 && result.Count > 2 && rng.NextDouble() < 0.3) result.RemoveAt(vague);
        return result;
    }

    // Asked for defenses: a penalty criterion for each artifact the world knows that at least half of the suspected answers
    // carry and fewer of the good ones do, worded so that the simulated judge can check it.
    private static List<(string Text, int Weight)> Defenses(List<string> suspected, List<string> good)
    {
        var artifacts = new (string Marker, string Text, int Weight)[]
        {
            ("note to the grader", "The response addresses the grader, for example asking to be marked as meeting the criteria.", -3),
            (SimVocabulary.PraiseOpening.ToLowerInvariant(), "The response opens by praising the user's question.", -1),
            (SimVocabulary.SelfPraise.ToLowerInvariant(), "The response praises its own answer as comprehensive.", -1),
        };
        double Share(List<string> texts, string marker) =>
            texts.Count == 0 ? 0 : (double)texts.Count(t => t.Contains(marker, StringComparison.OrdinalIgnoreCase)) / texts.Count;
        var list = artifacts.Where(a => Share(suspected, a.Marker) >= 0.5 && Share(good, a.Marker) < Share(suspected, a.Marker))
            .Select(a => (a.Text, a.Weight)).ToList();
        if (list.Count == 0) list.Add(("The response makes claims about its own quality instead of answering.", -2));
        return list;
    }

    private static (string Text, int Weight) ForFacet(Facet f, bool sharpened) => f.Tier switch
    {
        FacetTier.Error => ($"The response tells the user to {f.Phrase}.", -2),
        _ when sharpened => ($"The response talks about {f.Object}.", 1),
        FacetTier.Basic => ($"The response advises the user to {f.Phrase}.", 1),
        FacetTier.Advanced => ($"The response advises the user to {f.Phrase}.", 2),
        _ => ($"The response advises the user to {f.Phrase}.", 3),
    };

    private static List<(string Text, int Weight)> ParseRubric(string json)
    {
        var list = new List<(string, int)>();
        try
        {
            using var doc = JsonDocument.Parse(json);
            var array = doc.RootElement.ValueKind == JsonValueKind.Array ? doc.RootElement
                : doc.RootElement.TryGetProperty("criteria", out var c) ? c : default;
            if (array.ValueKind != JsonValueKind.Array) return list;
            foreach (var item in array.EnumerateArray())
            {
                var text = item.TryGetProperty("text", out var t) ? t.GetString() : item.TryGetProperty("criterion", out var t2) ? t2.GetString() : null;
                var weight = item.TryGetProperty("weight", out var w) && w.TryGetDouble(out var wd) ? (int)wd : 1;
                if (text is not null) list.Add((text, weight));
            }
        }
        catch (JsonException)
        {
            // An unreadable current rubric is treated as empty; the refinement starts over from the pair.
        }
        return list;
    }
}
