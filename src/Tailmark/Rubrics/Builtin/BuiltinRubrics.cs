using System.Reflection;
using Tailmark.Io;
using Tailmark.Rubrics.Formats;

namespace Tailmark.Rubrics.Builtin;

/// <summary>Rubrics that ship inside Tailmark.</summary>
public static class BuiltinRubrics
{
    /// <summary>
    /// The defense rubric (dataset level; prefatory praise, self-praise, text addressed to the grader), with its
    /// criteria as vetoes or as penalties.
    /// </summary>
    public static Rubric Defense(DefenseMode mode = DefenseMode.Veto)
    {
        var rubric = Load("defense.yaml");
        return rubric with { Criteria = [.. rubric.Criteria.Select(c => c with { Veto = mode == DefenseMode.Veto })] };
    }

    private static Rubric Load(string name)
    {
        using var stream = Assembly.GetExecutingAssembly().GetManifestResourceStream($"Tailmark.Builtin.{name}")
            ?? throw new InvalidOperationException($"built-in rubric {name} is missing from the build");
        using var reader = new StreamReader(stream);
        var doc = YamlJson.Parse(reader.ReadToEnd(), name).Single();
        var row = TailmarkFormat.FromJson(new JsonRowSource.Row(doc.Json, new IssueLog(name), ""));
        if (row.HasErrors) throw new InvalidOperationException($"built-in rubric {name} is invalid: {string.Join("; ", row.Issues)}");
        return row.Rubric!;
    }
}
