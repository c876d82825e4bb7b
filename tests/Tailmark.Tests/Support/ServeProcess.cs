using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Tailmark.Tests.Support;

/// <summary><c>tailmark serve</c> as a child process on a free loopback port, until disposed (or sent SIGTERM).</summary>
public sealed partial class ServeProcess : IDisposable
{
    /// <summary>Starts <c>serve --port 0</c> with ARGS and waits for the line that gives its address.</summary>
    public ServeProcess(params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])[CliProcess.CliDll, "serve", "--port", "0", .. args]) start.ArgumentList.Add(a);
        Process = Process.Start(start)!;
        var line = Process.StandardOutput.ReadLine() ?? "";
        Url = new Uri(UrlPattern().Match(line) is { Success: true } m ? m.Value : throw new InvalidOperationException("serve did not start: " + line + Process.StandardError.ReadToEnd()));
    }

    public Process Process { get; }

    public Uri Url { get; }

    public void Terminate()
    {
        using var kill = Process.Start("kill", ["-TERM", Process.Id.ToString(System.Globalization.CultureInfo.InvariantCulture)]);
        kill.WaitForExit();
    }

    public void Dispose()
    {
        if (!Process.HasExited) Process.Kill(entireProcessTree: true);
        Process.Dispose();
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/")]
    private static partial Regex UrlPattern();
}
