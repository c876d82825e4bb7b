namespace Tailmark.Tests.Support;

/// <summary>Locates the repository root (the folder holding Tailmark.slnx) and the reference data the tests read (tests/data).</summary>
public static class TestPaths
{
    public static string RepoRoot { get; } = FindRoot();

    public static string TestData => Path.Combine(RepoRoot, "tests", "data");

    public static string HealthBench => Path.Combine(TestData, "healthbench", "oss_eval_sample_30.jsonl");

    public static string IfEval(string file) => Path.Combine(TestData, "ifeval", file);

    private static string FindRoot()
    {
        var dir = new DirectoryInfo(AppContext.BaseDirectory);
        while (dir is not null && !File.Exists(Path.Combine(dir.FullName, "Tailmark.slnx"))) dir = dir.Parent;
        return dir?.FullName ?? throw new InvalidOperationException("Tailmark.slnx not found above the test binaries");
    }
}
