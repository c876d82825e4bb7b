using System.Text;
using Tailmark.Building;
using Tailmark.Io;
using Tailmark.Rubrics;
using Tailmark.Rubrics.Formats;
using Tailmark.Scoring;
using Tailmark.Storage;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Reliability;

/// <summary>
/// The audit's internal errors (exit 70) and unbounded inputs, each as the user met it: through the real CLI
/// process where the exit code and the message are the point, through the reader otherwise.
/// </summary>
public sealed class BadInputTests
{
    /// <summary>Billion laughs in 477 bytes: nine levels of ten aliases, 10⁹ strings once expanded.</summary>
    private static string Bomb()
    {
        var text = new StringBuilder("a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
        for (var i = 1; i < 9; i++) text.Append($"a{i}: &a{i} [{string.Join(", ", Enumerable.Repeat($"*a{i - 1}", 10))}]\n");
        return text.ToString();
    }

    [Trait("Tier", "Integration")]
    [Fact]
    public async Task YamlBomb_InEveryYamlInput_IsAnErrorNamingTheFile()
    {
        using var dir = new TempDir();
        var bomb = dir.Write("bomb.yaml", Bomb());
        Assert.True(new FileInfo(bomb).Length < 600);
        var rubrics = dir.Write("r.jsonl", """{"rubric_id": "r1", "prompt_id": "p", "criteria": [{"id": "a", "text": "A"}]}""" + "\n");
        var verdicts = dir.Write("v.jsonl", """{"prompt_id": "p", "response_id": "x", "rubric_id": "r1", "verdicts": {"a": "met"}}""" + "\n");
        var responses = dir.Write("s.jsonl", """{"prompt_id": "p", "response_id": "x", "response": "hi"}""" + "\n");
        foreach (var args in new[]
        {
            new[] { "validate", bomb },
            ["score", "--rubrics", bomb, "--verdicts", verdicts, "--out", dir.File("o1.jsonl")],
            ["score", "--rubrics", rubrics, "--verdicts", verdicts, "--scoring", bomb, "--out", dir.File("o2.jsonl")],
            ["grade", "--dry-run", "--no-cache", "--endpoints", bomb, "--rubrics", rubrics, "--responses", responses, "--out", dir.File("o3.jsonl")],
        })
        {
            var result = CliProcess.Run(args);
            Assert.Equal(1, result.ExitCode);
            Assert.Contains($"{bomb}:", result.All);
            Assert.Contains($"YAML aliases expand this file past {InputLimits.MaxYamlExpansion((int)new FileInfo(bomb).Length):#,0} characters", result.All);
        }
        // serve --rubrics loads through the same loader.
        var ex = await Assert.ThrowsAsync<InputException>(() => RubricLoader.LoadAsync(bomb));
        Assert.Contains("alias bomb", ex.Message);
    }

    [Theory]
    [InlineData("nested.yaml", true)]
    [InlineData("nested.jsonl", false)]
    [InlineData("nested.json", false)]
    public async Task DeepNesting_IsAnErrorNamingTheFile(string name, bool yaml)
    {
        using var dir = new TempDir();
        const int Depth = 100_000;
        var deep = new string('[', Depth) + new string(']', Depth);
        var path = dir.Write(name, yaml ? $"rubric_id: r\ncriteria: {deep}\n" : $"{{\"rubric_id\": \"r\", \"criteria\": {deep}}}\n");
        var issues = new List<InputIssue>();
        await foreach (var row in RubricFormats.Guess(path).ReadAsync(path)) issues.AddRange(row.Issues);
        var error = Assert.Single(issues, i => i.IsError);
        Assert.Equal(path, error.File);
        Assert.Equal(yaml ? 2 : 1, error.Line);
        Assert.Contains(yaml ? "nested deeper than 256 levels" : "maximum configured depth of 256", error.Message);
    }

    [Fact]
    public async Task Yaml_1e400_IsReadAsTheNumberItSpells_AndValidationNamesIt()
    {
        using var dir = new TempDir();
        var path = dir.Write("r.yaml", "rubric_id: r\ncriteria:\n  - id: 1e400\n    text: t\n    weight: 1e400\n");
        var rows = await ToListAsync(new YamlFormat().ReadAsync(path));
        var row = Assert.Single(rows);
        Assert.Equal("1e400", row.Rubric!.Criteria[0].Id); // an id stays the text it was written as
        var error = Assert.Single(row.Issues, i => i.IsError);
        Assert.Equal((5, "criteria[0].weight", "weight is infinite"), (error.Line, error.Field, error.Message));
    }

    [Theory]
    [InlineData("? [a, b]\n: c\n", 1, "a mapping key must be a plain value")]
    [InlineData("rubric_id: r\nrubric_id: s\n", 2, "duplicate key")]
    [InlineData("rubric_id: *nowhere\n", 1, "the alias *nowhere names no complete anchor before it")]
    [InlineData("a: &x [*x]\n", 1, "the alias *x names no complete anchor before it")]
    [InlineData("interactions:\n  - { first: -1\nclip: true\n", 2, "malformed YAML")] // YamlDotNet's scanner throws its own InvalidOperationException here
    public void Yaml_Malformed_IsALocatedError(string text, int line, string message)
    {
        var ex = Assert.Throws<InputException>(() => YamlJson.Parse(text, "f.yaml"));
        var issue = Assert.Single(ex.Issues);
        Assert.Equal(("f.yaml", line), (issue.File, issue.Line));
        Assert.Contains(message, issue.Message);
    }

    [Fact]
    public void Yaml_AnchorsAndAliases_WithinTheBound_AreExpanded()
    {
        var doc = Assert.Single(YamlJson.Parse("base: &b {weight: 2, tags: [x]}\nc1: *b\nc2: *b\n", "f.yaml"));
        Assert.Equal("""{"base":{"weight":2,"tags":["x"]},"c1":{"weight":2,"tags":["x"]},"c2":{"weight":2,"tags":["x"]}}""", doc.Json.GetRawText());
        Assert.Equal(2, doc.Lines["c1"]);
        // An anchored node made of aliases holds what they stand for.
        var nested = Assert.Single(YamlJson.Parse("a: &a [1, 2]\nb: &b [*a, *a]\nc: [*b]\n", "f.yaml"));
        Assert.Equal("""{"a":[1,2],"b":[[1,2],[1,2]],"c":[[[1,2],[1,2]]]}""", nested.Json.GetRawText());
    }

    [Trait("Tier", "Integration")]
    [Fact]
    public void MalformedJson_MessageIsReadable_NotARuntimeResourceKey()
    {
        // With UseSystemResourceKeys the runtime printed "EndOfStringNotFound LineNumber: 0" and the like.
        using var dir = new TempDir();
        var path = dir.Write("r.jsonl", "{\"rubric_id\": \"r\n");
        var result = CliProcess.Run("validate", path);
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{path}:1: error: malformed JSON (column 17): Expected end of string, but instead reached end of data.", result.Stdout);
        Assert.DoesNotContain("LineNumber", result.Stdout);
    }

    [Fact]
    public void LoneSurrogateEscape_IsALocatedError()
    {
        // JsonDocument parses "\ud800", then throws InvalidOperationException when a reader asks for the text.
        var line = JsonlReader.Parse(3, """{"rubric_id": "r", "criteria": [{"id": "a", "text": "x\ud800"}]}""", "r.jsonl");
        Assert.Null(line.Json);
        Assert.Equal("malformed JSON: criteria[0].text: a string holds half of a UTF-16 surrogate pair (\\uD800-\\uDFFF escaped alone)", line.ParseError);
        Assert.NotNull(JsonlReader.Parse(3, """{"text": "\ud83d\ude00"}""", "r.jsonl").Json); // a whole pair is an emoji
    }

    [Fact]
    public void EndpointsFile_NonFiniteOrHugeTimeout_IsALocatedError()
    {
        using var dir = new TempDir();
        foreach (var (value, found) in new[] { (".nan", "expected a finite number, found the string \"NaN\""),
            ("1e300", "expected seconds in (0, 86400], found 1E+300"), ("-1", "expected seconds in (0, 86400], found -1") })
        {
            var path = dir.Write("e.yaml", $"endpoints:\n  local:\n    url: http://127.0.0.1:9/v1\n    model: m\n    timeout_s: {value}\n");
            var ex = Assert.Throws<InputException>(() => Tailmark.Llm.EndpointConfig.Load(path));
            var issue = Assert.Single(ex.Issues);
            Assert.Equal((path, 5, "endpoints.local.timeout_s"), (issue.File, issue.Line, issue.Field));
            Assert.Equal(found, issue.Message);
        }
    }

    [Fact]
    public void EndpointsFile_EmptyModel_IsALocatedError()
    {
        // The OpenAI SDK threw ArgumentException ("Value cannot be an empty string") when the client was made.
        using var dir = new TempDir();
        var path = dir.Write("e.yaml", "endpoints:\n  local:\n    url: http://127.0.0.1:9/v1\n    model: ''\n");
        var issue = Assert.Single(Assert.Throws<InputException>(() => Tailmark.Llm.EndpointConfig.Load(path)).Issues);
        Assert.Equal((path, 4, "endpoints.local.model", "the model name is empty"), (issue.File, issue.Line, issue.Field, issue.Message));
    }

    [Trait("Tier", "Integration")]
    [Fact]
    public void EmptyMessageListAsAPrompt_IsALocatedError()
    {
        using var dir = new TempDir();
        var prompts = dir.Write("p.jsonl", """{"prompt_id": "a", "prompt": []}""" + "\n");
        var result = CliProcess.Run("sample", "--prompts", prompts, "--generators", "sim:sim-great", "--n", "1", "--out", dir.File("pool.jsonl"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{prompts}:1: error: prompt: a prompt needs at least one message", result.Stderr);
    }

    [Fact]
    public async Task Report_NonFiniteOrHalfGivenAccuracy_IsALocatedError()
    {
        using var dir = new TempDir();
        dir.Write("accuracy.jsonl", string.Join("\n",
            """{"rubrics": "a", "high": {"pairs": 3, "ties": 0, "accuracy": 1e400, "ci_low": 0.1, "ci_high": 0.9}}""",
            """{"rubrics": "b", "high": {"pairs": 3, "ties": 0, "accuracy": "NaN", "ci_low": 0.1, "ci_high": 0.9}}""",
            """{"rubrics": "c", "high": {"pairs": 3, "ties": 0, "accuracy": 0.5, "ci_high": 0.9}}""") + "\n");
        var ex = await Assert.ThrowsAsync<InputException>(() => Tailmark.Evaluation.Report.RunReport.BuildAsync(dir.Path));
        Assert.Equal(
            [(1, "high.accuracy", "expected a finite number, found the number 1e400"),
                (2, "high.accuracy", "expected a finite number, found the string \"NaN\""),
             (3, "high.ci_low", "accuracy, ci_low and ci_high are given together or not at all")],
            ex.Issues.Select(i => (i.Line!.Value, i.Field!, i.Message)));
    }

    [Fact]
    public async Task PoolImport_ResponseThatIsNotAnObject_IsALocatedError()
    {
        using var dir = new TempDir();
        var path = dir.Write("pool.jsonl", """{"id": "q1", "prompt": "P", "responses": ["just text", {"generator": "g", "response": "ok"}]}""" + "\n");
        var ex = await Assert.ThrowsAsync<InputException>(() => PoolImport.FromCttAsync(path));
        var issue = Assert.Single(ex.Issues);
        Assert.Equal((1, "responses[0]"), (issue.Line, issue.Field));
        var hb = dir.Write("hb.jsonl", """{"prompt_id": 7, "ideal_completions_data": {"ideal_completion": "x", "ideal_completions_ref_completions": ["y", 3]}}""" + "\n");
        var hbError = Assert.Single((await Assert.ThrowsAsync<InputException>(() => PoolImport.FromHealthBenchAsync(hb))).Issues);
        Assert.Equal((1, "ideal_completions_data.ideal_completions_ref_completions[1]"), (hbError.Line, hbError.Field));
    }

    [Trait("Tier", "Integration")]
    [Fact]
    public void Convert_DuplicateKeysInPassThroughJson_ToYaml_KeepsTheLastValue()
    {
        // YamlFormat built a dictionary with ToDictionary and threw on the repeated key.
        using var dir = new TempDir();
        var path = dir.Write("r.jsonl", """{"rubric_id": "r", "criteria": [{"id": "a", "text": "A"}], "metadata": {"m": {"k": 1, "k": 2}}}""" + "\n");
        var result = CliProcess.Run("convert", path, "--out", dir.File("r.yaml"));
        Assert.Equal(0, result.ExitCode);
        Assert.Contains("metadata.m.k: this key is given more than once in its object; the last value is used", result.Stderr);
        Assert.Contains("k: 2", File.ReadAllText(dir.File("r.yaml")));
    }

    [Trait("Tier", "Integration")]
    [Fact]
    public void InvalidUtf8_IsReadButWarnedAbout()
    {
        using var dir = new TempDir();
        var path = dir.File("r.jsonl");
        File.WriteAllBytes(path, [.. Encoding.UTF8.GetBytes("""{"rubric_id": "r", "criteria": [{"id": "a", "text": "caf"""), 0xE9, .. Encoding.UTF8.GetBytes("\"}]}\n")]);
        var result = CliProcess.Run("validate", path);
        Assert.Equal(0, result.ExitCode);
        Assert.Contains($"{path}:1: warning: invalid UTF-8 bytes were read as U+FFFD", result.Stderr);
    }

    [Theory]
    [InlineData("not a database at all, just text")]
    [InlineData("")]
    public void VerdictCache_DamagedFile_IsAnInputErrorNamingItWithTheWayOut(string content)
    {
        using var dir = new TempDir();
        var path = dir.File("cache.sqlite");
        if (content.Length > 0) File.WriteAllText(path, content);
        else Directory.CreateDirectory(path);
        var ex = Assert.Throws<InputException>(() => VerdictStores.Open(path));
        var issue = Assert.Single(ex.Issues);
        Assert.Equal(path, issue.File);
        Assert.EndsWith("run with --no-cache, or give --cache a new path", issue.Message);
    }

    [Trait("Tier", "Integration")]
    [Fact]
    public void VerdictCache_ReadOnlyOrDamagedInTheMiddle_ThroughGrade_ExitsOneNamingIt()
    {
        using var dir = new TempDir();
        var cachePath = dir.File("cache.sqlite");
        using (var store = VerdictStores.Open(cachePath)) store.Put([new(VerdictCacheKey.Of("k"), new CachedVerdict(StoredStatus.Met, null, null, null))]);
        // Damage the page after the header: SQLite opens the file, then finds the table's pages broken.
        var bytes = File.ReadAllBytes(cachePath);
        for (var i = 100; i < bytes.Length; i++) bytes[i] = 0xA5;
        File.WriteAllBytes(cachePath, bytes);
        File.Delete(cachePath + "-wal");
        var rubrics = dir.Write("r.jsonl", """{"rubric_id": "r1", "prompt_id": "p", "criteria": [{"id": "a", "text": "A"}]}""" + "\n");
        var responses = dir.Write("s.jsonl", """{"prompt_id": "p", "response_id": "x", "response": "hi"}""" + "\n");
        var result = CliProcess.Run("grade", "--rubrics", rubrics, "--responses", responses, "--cache", cachePath, "--out", dir.File("g.jsonl"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{cachePath}: error: the verdict cache cannot be used:", result.Stderr);
        Assert.Contains("run with --no-cache, or give --cache a new path", result.Stderr);
        Assert.DoesNotContain("bug in Tailmark", result.All);
    }

    [Fact]
    public void RoundFile_Damaged_IsAnErrorNamingIt_AndAnEmptyRubricIdNeverReachesTheOutput()
    {
        using var dir = new TempDir();
        var store = new RoundStore(dir.Path);
        var rubric = new Rubric { Id = "q/1", PromptId = "q/1", Criteria = [new Criterion { Id = "c1", Text = "t" }] };
        var record = new RoundRecord(1, new Dictionary<string, double?> { ["x"] = 0.5 }, "x", "y", rubric, new RubricDiff([], [], []), false, null);
        store.Save(record);
        var path = store.PathFor(rubric.Id, 1);
        Assert.Equal(rubric, store.Load(rubric, 1)!.Rubric);

        File.WriteAllText(path, File.ReadAllText(path).Replace("\"rubric_id\": \"q/1\"", "\"rubric_id\": \"\"", StringComparison.Ordinal));
        var empty = Assert.Throws<InputException>(() => store.Load(rubric, 1));
        Assert.Contains(empty.Issues, i => i.File == path && i.Field == "rubric.rubric_id" && i.Message == "rubric id is empty");
        Assert.Contains(empty.Issues, i => i.Message.StartsWith("a saved refinement round that cannot be resumed: delete the file", StringComparison.Ordinal));

        File.WriteAllText(path, "{\"round\": 1, \"pair\": [\"x\"");
        var torn = Assert.Throws<InputException>(() => store.Load(rubric, 1));
        Assert.Contains(torn.Issues, i => i.File == path && i.Line == 1 && i.Message.StartsWith("malformed JSON", StringComparison.Ordinal));

        File.WriteAllText(path, """{"round": 1, "scores": {"x": "Infinity"}, "pair": ["x", "y", "z"], "kept_previous": "no", "diff": {"reweighted": [{"text": "t", "from": 1}]}, "rubric": {"rubric_id": "q/1", "criteria": [{"id": "c1", "text": "t"}]}}""");
        var fields = Assert.Throws<InputException>(() => store.Load(rubric, 1)).Issues.Select(i => i.Field).ToList();
        Assert.Equal(["scores.x", "pair", "kept_previous", "diff.reweighted[0].to", null], fields);
    }

    [Fact]
    public void RoundFolders_OfIdsThatOneSubstitutionWouldMerge_AreDistinct()
    {
        // The old folder name replaced '/' by '_': q/1 and q_1 shared rounds/q_1 and one rubric's rounds were lost.
        var ids = new[] { "q/1", "q_1", "q:1", "Q_1", ".", "..", "", new string('x', 300) };
        var names = ids.Select(SafeName.For).ToList();
        Assert.Equal(ids.Length, names.Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(names, n => Assert.True(n.Length is > 0 and <= 65 && n.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.') && n[0] != '.', n));
        Assert.StartsWith("q_1-", names[0]);
    }

    [Fact]
    public void RoundStore_FileOfAnotherRubric_IsAnErrorNotItsRubric()
    {
        using var dir = new TempDir();
        var store = new RoundStore(dir.Path);
        Rubric Make(string id) => new() { Id = id, PromptId = id, Criteria = [new Criterion { Id = "c1", Text = id }] };
        store.Save(new RoundRecord(1, new Dictionary<string, double?>(), null, null, Make("a"), new RubricDiff([], [], []), false, null));
        // A round file copied into another rubric's folder (or a hash collision) must not pass as that rubric's.
        var target = store.PathFor("b", 1);
        Directory.CreateDirectory(Path.GetDirectoryName(target)!);
        File.Copy(store.PathFor("a", 1), target);
        var ex = Assert.Throws<InputException>(() => store.Load(Make("b"), 1));
        Assert.Contains(ex.Issues, i => i.Message == "the round belongs to rubric \"a\", not \"b\"");
    }

    [Fact]
    public void ScoringFile_NonFiniteNumber_IsALocatedError()
    {
        var ex = Assert.Throws<InputException>(() => ScoringConfigLoader.FromText("saturation: { scope: category, k: .inf }\n", "s.yaml"));
        var issue = Assert.Single(ex.Issues);
        Assert.Equal((1, "saturation.k"), (issue.Line, issue.Field));
    }

    [Trait("Tier", "Integration")]
    [Fact]
    public void Grade_ResponseLongerThanTheCap_IsNotSentToAJudge_AndItsRewardIsUndefined()
    {
        // The memory of a response's judge calls grows with its length (docs/reliability.md); past the cap none is made.
        using var dir = new TempDir();
        var rubrics = dir.Write("r.jsonl", """{"rubric_id": "r1", "prompt_id": "p", "criteria": [{"id": "a", "text": "Says hello."}, {"id": "n", "text": "Short.", "check": {"type": "length_constraints:number_words", "relation": "less than", "num_words": 5}}]}""" + "\n");
        var responses = dir.Write("s.jsonl", $$"""{"prompt_id": "p", "response_id": "x", "response": "{{string.Join(' ', Enumerable.Repeat("hello", 40))}}"}""" + "\n");
        var output = dir.File("g.jsonl");
        var result = CliProcess.Run("grade", "--rubrics", rubrics, "--responses", responses, "--no-cache", "--max-response-chars", "100", "--summary",
            dir.File("s.json"), "--out", output);
        Assert.Equal(0, result.ExitCode);
        using var row = System.Text.Json.JsonDocument.Parse(File.ReadAllText(output));
        var verdicts = row.RootElement.GetProperty("verdicts");
        Assert.Equal("cannot_assess", verdicts.GetProperty("a").GetProperty("status").GetString());
        Assert.Equal("the response has 239 characters, more than the 100 a judge is sent", verdicts.GetProperty("a").GetProperty("reason").GetString());
        Assert.Equal("not_met", verdicts.GetProperty("n").GetProperty("status").GetString()); // 40 words, the check still ran
        Assert.Equal(System.Text.Json.JsonValueKind.Null, row.RootElement.GetProperty("reward").ValueKind);
        using var summary = System.Text.Json.JsonDocument.Parse(File.ReadAllText(dir.File("s.json")));
        Assert.Equal(0, summary.RootElement.GetProperty("judge").GetProperty("calls").GetInt32());
    }

    [Trait("Tier", "Integration")]
    [Fact]
    public void Gold_NonFinite_IsAnErrorNotASilentValue()
    {
        // eval bon took 1e400 as an infinite gold and eval pairs took "NaN" as a gold, each silently.
        using var dir = new TempDir();
        var rubrics = dir.Write("r.jsonl", """{"rubric_id": "r1", "prompt_id": "p", "criteria": [{"id": "a", "text": "Says hello."}]}""" + "\n");
        var pool = dir.Write("pool.jsonl", """{"prompt_id": "p", "response_id": "x", "response": "hello", "gold": 1e400}""" + "\n");
        var bon = CliProcess.Run("eval", "bon", "--pool", pool, "--rubrics", rubrics, "--cache", dir.File("c.sqlite"));
        Assert.Equal(1, bon.ExitCode);
        Assert.Contains($"{pool}: error: gold: response x of p has gold 1e400, not a finite number", bon.Stderr);
        var pairs = dir.Write("pairs.jsonl", """{"prompt_id": "p", "chosen": "hello", "rejected": "bye", "chosen_gold": "NaN", "rejected_gold": 0.2}""" + "\n");
        var result = CliProcess.Run("eval", "pairs", "--pairs", pairs, "--rubrics", rubrics, "--cache", dir.File("c.sqlite"));
        Assert.Equal(1, result.ExitCode);
        Assert.Contains($"{pairs}:1: error: chosen_gold: expected a finite number, found the string \"NaN\"", result.Stderr);
    }

    private static async Task<List<T>> ToListAsync<T>(IAsyncEnumerable<T> items)
    {
        var list = new List<T>();
        await foreach (var item in items) list.Add(item);
        return list;
    }
}
