using System.Diagnostics;

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
        var script = Path.Combine(TestPaths.RepoRoot, "build", "install-tool.sh");
        var start = new ProcessStartInfo(script) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(_installed.Path);
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(20)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException("build/install-tool.sh did not finish in 20 minutes");
        }
        if (process.ExitCode != 0) throw new InvalidOperationException($"build/install-tool.sh failed:\n{stderr.Result}");
        Command = stdout.Result.Trim();
    }

    /// <summary>The installed <c>tailmark</c> command (a link into the tool store).</summary>
    public string Command { get; }

    /// <summary>The folder the command's files were installed in (the installed command links to its program there).</summary>
    public string Folder => Path.GetDirectoryName(new FileInfo(Command).ResolveLinkTarget(returnFinalTarget: true)?.FullName
        ?? throw new InvalidOperationException($"{Command} is not a link into the tool store: this tool was not installed as a native program"))!;

    public CliProcess.Result Run(string workingDirectory, params string[] args)
    {
        var start = new ProcessStartInfo(Command)
        {
            RedirectStandardOutput = true, RedirectStandardError = true, RedirectStandardInput = true, UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var process = Process.Start(start)!;
        process.StandardInput.Close();
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(TimeSpan.FromMinutes(3)))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"tailmark {string.Join(' ', args)} did not finish");
        }
        return new CliProcess.Result(process.ExitCode, stdout.Result, stderr.Result);
    }

    public void Dispose() => _installed?.Dispose();
}
