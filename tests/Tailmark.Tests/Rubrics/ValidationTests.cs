using Tailmark.Io;
using Tailmark.Rubrics.Formats;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Rubrics;

public sealed class ValidationTests
{
    /// <summary>One planted problem per line (line 1 is clean), with the field each must be reported at.</summary>
    public static readonly string[] PlantedLines =
    [
        """{"rubric_id": "ok", "criteria": [{"id": "a", "text": "Fine", "weight": 1}]}""",
        """{"rubric_id": "r2", "criteria": [{"id": "a", "text": "A", "weight": 1}, {"id": "a", "text": "B", "weight": 2}]}""",
        """{"rubric_id": "r3", "criteria": [{"id": "a", "text": "A", "weight": "NaN"}]}""",
        """{"rubric_id": "r4", "criteria": [{"id": "a", "text": "A", "weight": 1e400}]}""",
        """{"rubric_id": "r5", "criteria": [{"id": "a", "text": "  ", "weight": 1}]}""",
        """{"rubric_id": "r6", "criteria": []}""",
        """{"rubric_id": "r7", "criteria": [{"id": "a", "text": "A", "scale": {"levels": [{"value": 2, "description": "hi"}, {"value": 1, "description": "lo"}]}}]}""",
        """{"rubric_id": "r8", "criteria": [{"id": "a", "text": "A", "check": {"type": "no_such_check"}}]}""",
        """{"rubric_id": "r9", "colour": "blue", "criteria": [{"id": "a", "text": "A"}]}""",
        """{"rubric_id": "r10", "criteria": [{"id": "a", "text": "A"}""",
    ];

    [Fact]
    public async Task Validate_PlantedErrors_ReportsEachWithLineAndField()
    {
        using var dir = new TempDir();
        var path = dir.Write("bad.jsonl", string.Join("\n", PlantedLines) + "\n");
        var issues = new List<InputIssue>();
        await foreach (var row in new TailmarkFormat().ReadAsync(path)) issues.AddRange(row.Issues);

        Assert.DoesNotContain(issues, i => i.Line == 1);
        AssertIssue(issues, 2, "criteria[1].id", "duplicate criterion id");
        AssertIssue(issues, 3, "criteria[0].weight", "NaN");
        AssertIssue(issues, 4, "criteria[0].weight", "infinite");
        AssertIssue(issues, 5, "criteria[0].text", "empty");
        AssertIssue(issues, 6, "criteria", "no criteria");
        AssertIssue(issues, 7, "criteria[0].scale.levels[1].value", "out of order");
        AssertIssue(issues, 8, "criteria[0].check.type", "unknown check type");
        var unknown = Assert.Single(issues, i => i.Line == 9);
        Assert.Equal(IssueSeverity.Warning, unknown.Severity);
        Assert.Equal("colour", unknown.Field);
        var malformed = Assert.Single(issues, i => i.Line == 10);
        Assert.Contains("malformed JSON", malformed.Message);
        Assert.All(issues, i => Assert.Equal(path, i.File));
    }

    [Fact]
    public async Task Validate_Yaml_PointsAtTheYamlLine()
    {
        using var dir = new TempDir();
        var path = dir.Write("r.yaml", "rubric_id: y1\ncriteria:\n  - id: a\n    text: A\n    weight: .nan\n  - id: b\n    text: B\n    category: crucial\n");
        var issues = new List<InputIssue>();
        await foreach (var row in new YamlFormat().ReadAsync(path)) issues.AddRange(row.Issues);
        AssertIssue(issues, 5, "criteria[0].weight", "NaN");
        AssertIssue(issues, 8, "criteria[1].category", "unknown category");
    }

    [Fact]
    public async Task Validate_WrongTypes_NameTheFieldAndWhatWasFound()
    {
        using var dir = new TempDir();
        var path = dir.Write("t.jsonl", """{"rubric_id": "t", "criteria": [{"id": "a", "text": 5, "weight": "heavy", "veto": "yes"}]}""" + "\n");
        var issues = new List<InputIssue>();
        await foreach (var row in new TailmarkFormat().ReadAsync(path)) issues.AddRange(row.Issues);
        AssertIssue(issues, 1, "criteria[0].weight", "the string \"heavy\"");
        AssertIssue(issues, 1, "criteria[0].veto", "expected true or false");
    }

    private static void AssertIssue(List<InputIssue> issues, int line, string field, string messagePart)
    {
        Assert.Contains(issues, i => i.IsError && i.Line == line && i.Field == field && i.Message.Contains(messagePart, StringComparison.Ordinal));
    }
}
