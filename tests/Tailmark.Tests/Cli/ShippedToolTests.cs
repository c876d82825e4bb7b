using System.Text.RegularExpressions;
using Tailmark.Tests.Support;

namespace Tailmark.Tests.Cli;

/// <summary>
/// The tool users install (Native AOT for this platform, packed and installed by build/install-tool.sh) does what the
/// built CLI does: the same files and the same output, command by command. Native AOT compiles reflection away, so
/// anything that still needs it fails here and nowhere else. The Python integration tests run against this same
/// installed tool (.ci/run), covering <c>serve</c> and every trainer's protocol.
/// </summary>
[Trait("Tier", "Integration")]
public sealed class ShippedToolTests(ShippedTool tool) : IClassFixture<ShippedTool>
{
    [Fact]
    public void Package_HoldsTheNativeProgramAndSqliteOnly()
    {
        var files = Directory.GetFiles(tool.Folder).Select(Path.GetFileName).Order(StringComparer.Ordinal).ToList();
        // No managed assemblies, no runtime beside it, no debug symbols: one native program and SQLite's native library.
        var (program, sqlite, magic) = OperatingSystem.IsWindows() ? ("Tailmark.Cli.exe", "e_sqlite3.dll", "MZ"u8.ToArray())
            : OperatingSystem.IsMacOS() ? ("Tailmark.Cli", "libe_sqlite3.dylib", new byte[] { 0xCF, 0xFA, 0xED, 0xFE })
            : ("Tailmark.Cli", "libe_sqlite3.so", "\u007fELF"u8.ToArray());
        Assert.Equal(new[] { "DotnetToolSettings.xml", program, sqlite }.Order(StringComparer.Ordinal), files);
        var head = new byte[magic.Length];
        using (var stream = File.OpenRead(Path.Combine(tool.Folder, program))) stream.ReadExactly(head);
        Assert.Equal(magic, head);
    }

    [Fact]
    public void CheckIfEval_WritesWhatTheBuiltCliWrites()
    {
        using var shipped = new TempDir();
        using var built = new TempDir();
        string[] Args(string dir) => ["check", "ifeval", "--input", TestPaths.IfEval("input_data.jsonl"),
            "--responses", TestPaths.IfEval("input_response_data_gpt4_20231107_145030.jsonl"), "--out", dir];
        var a = tool.Run(shipped.Path, Args(shipped.Path));
        var b = CliProcess.Run(Args(built.Path));
        Assert.Equal((0, ""), (a.ExitCode, a.Stderr));
        Assert.Equal(b.Stdout.Replace(built.Path, "DIR", StringComparison.Ordinal), a.Stdout.Replace(shipped.Path, "DIR", StringComparison.Ordinal));
        foreach (var mode in new[] { "strict", "loose" })
        {
            var name = $"eval_results_{mode}.jsonl";
            Assert.Equal(File.ReadAllBytes(built.File(name)), File.ReadAllBytes(shipped.File(name)));
        }
    }

    [Fact]
    public void ConvertAndValidate_MatchTheBuiltCli()
    {
        using var shipped = new TempDir();
        using var built = new TempDir();
        // HealthBench to YAML (the YAML writer), then back through validation (the YAML reader).
        string[] Convert(string dir) => ["convert", TestPaths.HealthBench, "--from", "healthbench", "--to", "yaml", "--out", Path.Combine(dir, "r.yaml")];
        Assert.Equal(0, tool.Run(shipped.Path, Convert(shipped.Path)).ExitCode);
        Assert.Equal(0, CliProcess.Run(Convert(built.Path)).ExitCode);
        Assert.Equal(File.ReadAllText(built.File("r.yaml")), File.ReadAllText(shipped.File("r.yaml")));
        var valid = tool.Run(shipped.Path, "validate", shipped.File("r.yaml"));
        Assert.Equal(0, valid.ExitCode);
        Assert.Contains("30 rubric(s), 0 error(s)", valid.Stdout, StringComparison.Ordinal);
        // A bad file: the same errors, by file, line and field, and the same exit code.
        var bad = "{\"rubric_id\": \"x\", \"criteria\": [{\"id\": \"a\", \"text\": \"\", \"weight\": \"heavy\"}]}\n";
        var a = tool.Run(shipped.Path, "validate", shipped.Write("bad.jsonl", bad));
        var b = CliProcess.Run("validate", built.Write("bad.jsonl", bad));
        Assert.Equal(1, a.ExitCode);
        Assert.Equal(b.ExitCode, a.ExitCode);
        Assert.Equal(b.All.Replace(built.Path, "DIR", StringComparison.Ordinal), a.All.Replace(shipped.Path, "DIR", StringComparison.Ordinal));
        Assert.Contains("bad.jsonl:1", a.All, StringComparison.Ordinal);
    }

    [Fact]
    public void Demo_GivesTheBuiltClisResults()
    {
        // The demo walks everything over HTTP: the simulated world's server, judges through the client pipeline, the
        // verdict store, a real reward server and the report.
        using var shipped = new TempDir();
        using var built = new TempDir();
        var a = tool.Run(shipped.Path, "demo");
        var b = CliProcess.RunIn(built.Path, "demo");
        Assert.True(a.ExitCode == 0, a.All);
        Assert.Equal(0, b.ExitCode);
        foreach (var name in DeterministicDemoFiles)
        {
            Assert.Equal(Undated(File.ReadAllText(Path.Combine(built.Path, "out", "demo", name))),
                Undated(File.ReadAllText(Path.Combine(shipped.Path, "out", "demo", name))));
        }
        Assert.Equal(Steps(b.Stdout), Steps(a.Stdout));
    }

    // Everything the demo writes but the verdict store (which records when each verdict was made).
    private static readonly string[] DeterministicDemoFiles =
        ["prompts.jsonl", "pool.jsonl", "rubrics.jsonl", "graded.jsonl", "accuracy.jsonl", "bon.jsonl", "report.html"];

    // The report says when it was written, to the minute.
    private static string Undated(string text) => Regex.Replace(text, @"\d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC", "DATE");

    // The demo's printed steps without their timings, ports and folders.
    private static List<string> Steps(string stdout) => [.. stdout.Split('\n').Select(l => Regex.Replace(l,
        @"^\s*[0-9.]+s |127\.0\.0\.1:[0-9]+|/[^ ]*/out/demo|done in [0-9]+ s", "")).Where(l => l.Length > 0)];
}
