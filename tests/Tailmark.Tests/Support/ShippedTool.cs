namespace Tailmark.Tests.Support;

/// <summary>
/// The tailmark tool as users install it: packed for this platform (Native AOT) and installed with
/// <c>dotnet tool install</c> by <c>build/install-tool.sh</c>. <c>.ci/run</c> installs it once before the tests and
/// names it in <c>TAILMARK_TOOL</c>; without that variable the first test to ask packs and installs it (a few minutes).
/// </summary>
public sealed class ShippedTool : IDisposable
{
    private readonly TempDir? _installed;

    public ShippedTool()
    {
        if (Environment.GetEnvironmentVariable("TAILMARK_TOOL") is { Length: > 0 } given)
        {
            Command = given;
            return;
        }
        _installed = new TempDir();
        var install = CliProcess.RunProgram(Path.Combine(TestPaths.RepoRoot, "build", "install-tool.sh"), TestPaths.RepoRoot,
            TimeSpan.FromMinutes(20), _installed.Path);
        if (install.ExitCode != 0) throw new InvalidOperationException($"build/install-tool.sh failed:\n{install.Stderr}");
        Command = install.Stdout.Trim();
    }

    /// <summary>The installed <c>tailmark</c> command (a link into the tool store).</summary>
    public string Command { get; }

    /// <summary>The folder the command's files were installed in (the installed command links to its program there).</summary>
    public string Folder => Path.GetDirectoryName(new FileInfo(Command).ResolveLinkTarget(returnFinalTarget: true)?.FullName
        ?? throw new InvalidOperationException($"{Command} is not a link into the tool store: this tool was not installed as a native program"))!;

    public CliProcess.Result Run(string workingDirectory, params string[] args) =>
        CliProcess.RunProgram(Command, workingDirectory, TimeSpan.FromMinutes(3), args);

    public void Dispose() => _installed?.Dispose();
}
