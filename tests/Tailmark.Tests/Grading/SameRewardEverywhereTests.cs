using System.Net.Http.Json;
using System.Text.Json;
using System.Text.Json.Nodes;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Grading;

/// <summary>
/// The same rows graded through <c>grade</c>, <c>score</c> (on grade's verdicts), <c>serve</c>, <c>select</c> and
/// <c>eval bon</c> get the same rewards, with a task rubric, a tag-scoped dataset rubric and an unscoped one in the
/// rubrics file: the layers a row's task and tags (or its rubric's <c>applies_to</c>) select are the same in every front.
/// Each layer carries a veto, so a front that left a layer out would give a vetoed response a reward above zero.
/// </summary>
[Trait("Tier", "Integration")]
public sealed class SameRewardEverywhereTests
{
    private const string Rubrics = """
        {"rubric_id": "p1", "prompt_id": "p1", "prompt": "Describe a walk in the park.", "criteria": [{"id": "helpful", "text": "The response describes a walk."}, {"id": "short", "text": "At most 40 words.", "check": {"type": "length_constraints:number_words", "relation": "less than", "num_words": 40}}]}
        {"rubric_id": "p2", "prompt_id": "p2", "prompt": "Write a note to a colleague.", "criteria": [{"id": "helpful", "text": "The response is a note to a colleague."}, {"id": "short", "text": "At most 40 words.", "check": {"type": "length_constraints:number_words", "relation": "less than", "num_words": 40}}]}
        {"rubric_id": "p3", "prompt_id": "p3", "prompt": "Write about rain.", "applies_to": {"task": "writing"}, "criteria": [{"id": "helpful", "text": "The response is about rain."}]}
        {"rubric_id": "writing", "level": "task", "applies_to": {"task": "writing"}, "criteria": [{"id": "writing.no_comma", "text": "Uses no comma.", "weight": 2, "veto": true, "check": {"type": "punctuation:no_comma"}}]}
        {"rubric_id": "formal", "level": "dataset", "applies_to": {"tags": ["formal"]}, "criteria": [{"id": "formal.sign_off", "text": "Ends with Regards.", "veto": true, "check": {"type": "startend:end_checker", "end_phrase": "Regards."}}]}
        {"rubric_id": "style", "level": "dataset", "criteria": [{"id": "style.lowercase_free", "text": "Is not all lowercase.", "weight": -1, "check": {"type": "change_case:english_lowercase"}}]}
        """;

    // (prompt, response, task, tags): which rows the layers veto is worked out by hand beside each.
    private static readonly (string Prompt, string Id, string Response, string? Task, string[]? Tags, bool Vetoed)[] Rows =
    [
        ("p1", "a", "We walked in the park, then sat by the pond.", "writing", null, true),   // comma under the writing task
        ("p1", "b", "We walked in the park and sat by the pond.", "writing", null, false),
        ("p2", "c", "Hi Sam. The meeting moved to Friday. Regards.", null, ["formal"], false),
        ("p2", "d", "Hi Sam. The meeting moved to Friday.", null, ["formal"], true),          // no sign-off under the formal tag
        ("p2", "e", "Hi Sam, the meeting moved to Friday.", null, ["casual"], false),         // a comma, but no task selects the veto
        ("p3", "f", "Rain fell, softly.", null, null, true),                                  // the rubric's own applies_to names the task
    ];

    [Fact]
    public async Task GradeScoreServeSelectAndEval_GiveTheSameRewards_WithTheLayersTheRowsSelect()
    {
        using var dir = new TempDir();
        var rubrics = dir.Write("rubrics.jsonl", Rubrics + "\n");
        var responses = dir.Write("responses.jsonl",
            string.Join("\n", Rows.Select(r => Row(r.Prompt, r.Id, r.Response, r.Task, r.Tags).ToJsonString())) + "\n");

        var grade = CliProcess.Run("grade", "--rubrics", rubrics, "--responses", responses, "--mode", "all", "--cache", dir.File("grade.sqlite"), "--out",
            dir.File("graded.jsonl"));
        Assert.True(grade.ExitCode == 0, grade.All);
        var graded = File.ReadAllLines(dir.File("graded.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToList();
        var byGrade = graded.ToDictionary(g => g.GetProperty("response_id").GetString()!, Reward);
        foreach (var r in Rows)
        {
            if (r.Vetoed) Assert.Equal(0.0, byGrade[r.Id]);
            else Assert.True(byGrade[r.Id] > 0, $"{r.Id}: {byGrade[r.Id]}");
        }
        // The layers each row got, by its criteria: the task rubric for a and b (and f, by its rubric), the tag's for c and d only.
        var criteria = graded.ToDictionary(g => g.GetProperty("response_id").GetString()!, g =>
            g.GetProperty("verdicts").EnumerateObject().Select(p => p.Name).ToHashSet());
        Assert.All(new[] { "a", "b", "f" }, id => Assert.Contains("writing.no_comma", criteria[id]));
        Assert.All(new[] { "c", "d", "e" }, id => Assert.DoesNotContain("writing.no_comma", criteria[id]));
        Assert.All(new[] { "c", "d" }, id => Assert.Contains("formal.sign_off", criteria[id]));
        Assert.All(Rows, r => Assert.Contains("style.lowercase_free", criteria[r.Id]));

        // score: the verdicts grade wrote (its rows keep their task and tags), scored again.
        var score = CliProcess.Run("score", "--rubrics", rubrics, "--verdicts", dir.File("graded.jsonl"), "--out", dir.File("scored.jsonl"));
        Assert.True(score.ExitCode == 0, score.All);
        Assert.Equal(byGrade, File.ReadAllLines(dir.File("scored.jsonl")).Select(l => JsonDocument.Parse(l).RootElement).ToDictionary(g =>
            g.GetProperty("response_id").GetString()!, Reward));

        // serve: the same rows as /v1/reward items, task and tags with them.
        using (var serve = new ServeProcess("--rubrics", rubrics, "--mode", "all", "--cache", dir.File("serve.sqlite")))
        {
            using var http = new HttpClient();
            var items = new JsonArray([.. Rows.Select(r => (JsonNode)Item(r.Prompt, r.Response, r.Task, r.Tags))]);
            using var answer = await http.PostAsJsonAsync(new Uri(serve.Url, "v1/reward"), new JsonObject { ["items"] = items });
            var rewards = JsonDocument.Parse(await answer.Content.ReadAsStringAsync()).RootElement.GetProperty("rewards").EnumerateArray().Select(e =>
                e.GetDouble()).ToList();
            Assert.Equal(Rows.Select(r => byGrade[r.Id]), rewards);
        }

        // select: one response per prompt → each prompt's mean is that response's reward.
        foreach (var group in Rows.GroupBy(r => r.Id))
        {
            var r = group.Single();
            var pool = dir.Write($"pool-{r.Id}.jsonl", Row(r.Prompt, r.Id, r.Response, r.Task, r.Tags).ToJsonString() + "\n");
            var select = CliProcess.Run("select", "--pool", pool, "--rubrics", rubrics, "--cache", dir.File("select.sqlite"), "--out",
                dir.File($"select-{r.Id}.jsonl"));
            Assert.True(select.ExitCode == 0, select.All);
            var mean = JsonDocument.Parse(File.ReadAllText(dir.File($"select-{r.Id}.jsonl"))).RootElement.GetProperty("mean").GetDouble();
            Assert.Equal(byGrade[r.Id], mean);
        }

        // eval bon: at n = 1 the expected proxy is the mean over prompts of each prompt's mean reward.
        var goldPool = dir.Write("gold-pool.jsonl",
            string.Join("\n", Rows.Select(r => Row(r.Prompt, r.Id, r.Response, r.Task, r.Tags, gold: 0.5).ToJsonString())) + "\n");
        var bon = CliProcess.Run("eval", "bon", "--pool", goldPool, "--rubrics", rubrics, "--cache", dir.File("bon.sqlite"), "--out", dir.File("bon.jsonl"));
        Assert.True(bon.ExitCode == 0, bon.All);
        var first = JsonDocument.Parse(File.ReadLines(dir.File("bon.jsonl")).First()).RootElement;
        var expected = Rows.GroupBy(r => r.Prompt).Average(g => g.Average(r => byGrade[r.Id]));
        Assert.Equal(expected, first.GetProperty("proxy").GetDouble(), 12);
    }

    private static double Reward(JsonElement row) => row.GetProperty("reward").GetDouble();

    private static JsonObject Row(string prompt, string id, string response, string? task, string[]? tags, double? gold = null)
    {
        var row = new JsonObject { ["prompt_id"] = prompt, ["response_id"] = id, ["response"] = response };
        if (task is not null) row["task"] = task;
        if (tags is not null) row["tags"] = new JsonArray([.. tags.Select(t => (JsonNode)t)]);
        if (gold is { } g) row["gold"] = g;
        return row;
    }

    private static JsonObject Item(string prompt, string response, string? task, string[]? tags)
    {
        var item = new JsonObject { ["prompt_id"] = prompt, ["response"] = response };
        if (task is not null) item["task"] = task;
        if (tags is not null) item["tags"] = new JsonArray([.. tags.Select(t => (JsonNode)t)]);
        return item;
    }
}
