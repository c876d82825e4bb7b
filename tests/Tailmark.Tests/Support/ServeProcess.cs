using System.Diagnostics;
using System.Text.RegularExpressions;

namespace Tailmark.Tests.Support;

/// <summary><c>tailmark serve</c> as a child process on a free loopback port, until disposed (or sent SIGTERM).</summary>
public sealed partial class ServeProcess : IDisposable
{
    private readonly System.Text.StringBuilder? _errors;

    /// <summary>Starts <c>serve --port 0</c> with ARGS and waits for the line that gives its address.</summary>
    public ServeProcess(params string[] args) : this(null, args)
    {
    }

    /// <summary>
    /// Starts <c>serve --port 0</c> with ARGS and ENVIRONMENT added to the process's; when ENVIRONMENT is given, its
    /// standard error is collected as it comes (<see cref="Errors"/>) rather than left for the test to read.
    /// </summary>
    public ServeProcess(IReadOnlyDictionary<string, string>? environment, string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        foreach (var a in (string[])[CliProcess.CliDll, "serve", "--port", "0", .. args]) start.ArgumentList.Add(a);
        foreach (var (name, value) in environment ?? new Dictionary<string, string>()) start.Environment[name] = value;
        Process = Process.Start(start)!;
        var line = Process.StandardOutput.ReadLine() ?? "";
        if (UrlPattern().Match(line) is not { Success: true } m)
        {
            throw new InvalidOperationException("serve did not start: " + line + Process.StandardError.ReadToEnd());
        }
        Url = new Uri(m.Value);
        if (environment is null) return;
        _errors = new System.Text.StringBuilder();
        Process.ErrorDataReceived += (_, e) =>
        {
            lock (_errors) _errors.AppendLine(e.Data);
        };
        Process.BeginErrorReadLine();
    }

    /// <summary>What the process wrote to standard error so far (when started with an environment).</summary>
    public string Errors
    {
        get
        {
            if (_errors is null) return "";
            lock (_errors) return _errors.ToString();
        }
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
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            Process.WaitForExit(TimeSpan.FromSeconds(10)); // gone, with its files and locks released, before the test goes on
        }
        Process.Dispose();
    }

    [GeneratedRegex(@"http://127\.0\.0\.1:\d+/")]
    private static partial Regex UrlPattern();
}
